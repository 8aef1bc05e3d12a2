import { z } from 'zod';
import { findHeader } from '../headers';
import { hmac, isDigestText } from './digest';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import { parseUnixSeconds } from './timestamp';
import { toleranceOption } from './tolerance-option';

export const SLACK_SIGNATURE_HEADER = 'X-Slack-Signature';
export const SLACK_TIMESTAMP_HEADER = 'X-Slack-Request-Timestamp';

const optionsSchema = z.object({ toleranceSeconds: toleranceOption }).strict();

type SlackOptions = z.infer<typeof optionsSchema>;

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:<timestamp>:<body>` with the
 * app's signing secret, the timestamp taken from `X-Slack-Request-Timestamp`.
 */
export const slackVerifier = defineScheme<SlackOptions>({
  name: 'slack',
  label: 'Slack',
  optionsSchema,

  detect(headers) {
    return findHeader(headers, SLACK_SIGNATURE_HEADER) !== undefined;
  },

  model: {
    keySource: 'the app’s signing secret from its Basic Information page',
    describe: () => 'HMAC-SHA256 of "v0:timestamp:body"',
    parse(request, options) {
      const value = findHeader(request.headers, SLACK_SIGNATURE_HEADER)?.trim();
      if (value === undefined) return missingSignature(SLACK_SIGNATURE_HEADER);
      if (!value.startsWith('v0=')) return malformedHeader(`The ${SLACK_SIGNATURE_HEADER} header does not start with "v0=".`);
      const digest = value.slice(3);
      if (!isDigestText(digest)) return malformedHeader(`The ${SLACK_SIGNATURE_HEADER} header has no hex digest after "v0=".`);

      const timestamp = findHeader(request.headers, SLACK_TIMESTAMP_HEADER)?.trim();
      if (timestamp === undefined) return malformedHeader(`The request has the ${SLACK_SIGNATURE_HEADER} header but no ${SLACK_TIMESTAMP_HEADER} header.`);
      const seconds = parseUnixSeconds(timestamp);
      if (seconds === null) return malformedHeader(`The ${SLACK_TIMESTAMP_HEADER} header is not a Unix time in seconds.`);

      return {
        digests: [digest],
        encodings: ['hex'],
        contents: [{ body: request.body, timestamp }],
        timestamp: { seconds, toleranceSeconds: options.toleranceSeconds, direction: 'both' },
      };
    },
    keyBytes: textKey,
    digest: (content, key) => hmac('sha256', key, `v0:${content.timestamp ?? ''}:`, bodyOf(content)),
  },

  sign(body, key, _options, now) {
    const timestamp = String(Math.floor(now / 1000));
    return [
      [SLACK_TIMESTAMP_HEADER, timestamp],
      [SLACK_SIGNATURE_HEADER, `v0=${hmac('sha256', key, `v0:${timestamp}:`, body).toString('hex')}`],
    ];
  },
});
