export * from './dialer.js';
