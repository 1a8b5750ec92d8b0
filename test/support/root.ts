/** Whether the tests run as root: root-only tests `describe.skipIf(!isRoot)` with the reason in their title. */
export const isRoot = process.getuid?.() === 0;
