// berth seed example: answers every request on port 3000.
const http = require('http');

const port = 3000;
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('Hello from examplenodeapp in a berth container\n');
});

server.listen(port, () => console.log(`examplenodeapp listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
