// Watch benchmark: many watchers on configmaps, delivery latency and server CPU, LIST from the watch cache vs etcd.
// (being written)
export {};
