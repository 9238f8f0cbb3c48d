// Fakes and object builders for the controller's tests.
export * from './builders.js';
export * from './cluster.js';
export * from './fake-client.js';
export * from './fake-clock.js';
export * from './fake-events.js';
export * from './table.js';
