// Subscribes with the official graphql-ws client and prints each event as one JSON line.
// Usage: node graphql-ws-subscribe.mjs <ws url> <token> <table id> <events to wait for>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, table, wanted] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

let seen = 0;
const done = new Promise((resolve, reject) => {
  client.subscribe(
    {
      query: `subscription($t: ID!) { rowEvents(table: $t) { kind row { id data } } }`,
      variables: { t: table },
    },
    {
      next: (value) => {
        process.stdout.write(JSON.stringify(value) + '\n');
        seen += 1;
        if (seen >= Number(wanted)) resolve();
      },
      error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
      complete: () => resolve(),
    },
  );
});

const timer = setTimeout(() => {
  console.error(`timed out after ${seen} events`);
  process.exit(2);
}, 30000);

try {
  await done;
  clearTimeout(timer);
  await client.dispose();
  process.exit(0);
} catch (err) {
  console.error('subscription failed:', err.message ?? err);
  process.exit(1);
}
