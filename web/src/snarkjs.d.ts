declare module 'snarkjs';
