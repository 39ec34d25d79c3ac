// README's guided start: subscribes to the open tasks of a database's typed API with the
// official graphql-ws client, prints each result, and exits once a change has arrived.
// Usage: node e2e/guide-subscribe.mjs <server URL> <token> <database id>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [server, token, db] = process.argv.slice(2);
if (!server || !token || !db) {
  console.error('usage: node e2e/guide-subscribe.mjs <server URL> <token> <database id>');
  process.exit(2);
}
const client = createClient({
  url: `${server.replace(/^http/, 'ws')}/dbs/${db}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

// A live query: the server sends the result again whenever it changes.
const query = `subscription {
  tasks(where: {done: {_eq: false}}, order_by: {due: asc}) { title due }
}`;

let results = 0;
try {
  await new Promise((resolve, reject) => {
    client.subscribe({ query }, {
      next: (result) => {
        if (result.errors) {
          reject(new Error(JSON.stringify(result.errors)));
          return;
        }
        results += 1;
        console.log(JSON.stringify(result.data));
        if (results === 1) {
          console.log('waiting for a change...');
        } else {
          resolve();
        }
      },
      error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
      complete: () => reject(new Error('the subscription ended before a change arrived')),
    });
  });
  console.log('a change arrived');
} catch (err) {
  console.error(`subscription failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await client.dispose();
}
