/**
 * `done`, or `ms` passed: whichever comes first. The timer is not unref'd (a shutdown awaiting this must not see
 * the process end first) and goes as soon as `done` settles, so it holds no exit back.
 */
export async function atMost(done: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
