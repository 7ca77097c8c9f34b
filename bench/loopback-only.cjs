/**
 * Preloaded (`node -r`) into kinesis-local for benchmarks: kinesis-mock listens on every
 * interface and has no setting for the host, so bind its servers to 127.0.0.1 instead.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback]): put the loopback host in second place.
    const rest = args.slice(1);
    if (typeof rest[0] === 'string') rest.shift();
    return listen.call(this, Number(first), LOOPBACK, ...rest);
  }
  if (first && typeof first === 'object' && 'port' in first) {
    return listen.call(this, { ...first, host: LOOPBACK }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
