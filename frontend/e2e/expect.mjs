export function expect(condition, message) {
  if (!condition) throw new Error(message);
}
