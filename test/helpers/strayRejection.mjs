// Loaded with --import into `npm start` by process.test.ts: a rejection no one handles, once the facade is up.
setTimeout(() => void Promise.reject(new Error('a stray rejection for the test')), 1_500);
