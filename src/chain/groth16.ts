/**
 * The exported Groth16 verifier returns false instead of reverting when the pairing precompile
 * runs out of gas, so eth_estimateGas finds a limit at which the call "succeeds" with false and
 * under-reports the real cost several times over. Every caller sends this fixed limit instead:
 * measured use is ≈ 235k–300k gas for the model circuits (bench chain), with headroom for more
 * public signals (each costs one elliptic-curve multiplication, ≈ 7k).
 */
export const GROTH16_VERIFY_GAS = 500_000n;
