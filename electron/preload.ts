// NOTE: placeholder until the Electron shell lands; it only proves the preload bundle builds.
export {};
