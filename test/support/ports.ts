// Free loopback ports, so tests can run side by side: the one implementation the launcher and the benchmarks use.
export { freePort, portFree, startOnFreePorts } from '../../compose/local/processes.js';
