// NOTE: placeholder until the Electron shell lands; it only proves the main bundle builds.
export {};
