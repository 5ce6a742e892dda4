// Loaded with --import into `npm start` by process.test.ts: a rejection no one handles, once the facade is up. On
// SIGUSR2 from the test (a listener here, so the signal itself does not end the process): a timer fired during a
// slow start-up, before the facade listened for rejections.
process.on('SIGUSR2', () => void Promise.reject(new Error('a stray rejection for the test')));
