import { z } from 'zod';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp';

/** The `toleranceSeconds` option shared by timestamped schemes: 0 turns the check off. */
export const toleranceOption = z
  .number({ error: '"toleranceSeconds" must be a whole number of seconds (0 turns the timestamp check off)' })
  .int({ error: '"toleranceSeconds" must be a whole number of seconds' })
  .min(0, { error: '"toleranceSeconds" must be 0 or more' })
  .default(DEFAULT_TOLERANCE_SECONDS);
