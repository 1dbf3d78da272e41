export function emitK8sJob(..._a: unknown[]): void {}
