/** Minimal declarations for sodium-native (untyped): only what src/events/keys.ts uses. */
declare module 'sodium-native' {
  /** libsodium's crypto_sign_verify_detached: true when `signature` is `publicKey`'s Ed25519 signature of `message`. */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
