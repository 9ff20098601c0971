#!/usr/bin/env node
/** berthd: argv → daemon. Nothing else lives here. */

// libuv's threadpool (4 threads by default) carries every file read and stat:
// a few log followers of chatty containers could queue an export's or a
// copy's stats behind their reads. Set before the pool exists (it starts
// with the first asynchronous file operation, after this line).
process.env.UV_THREADPOOL_SIZE ??= '16';
const { main } = await import('../src/daemon/main.js');
void main(process.argv.slice(2));
