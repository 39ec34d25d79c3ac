// Runs the graphql-http server audits (GraphQL over HTTP spec conformance) against a GraphQL
// endpoint and prints one JSON line per audit: {"id","name","status","reason","body"}.
//
//   node graphql-http-audit.mjs http://127.0.0.1:8080/graphql
//
// The exit code is 0 when every audit ran, whatever the results: the caller judges them.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql-http-audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    try {
      line.httpStatus = result.response.status;
      line.contentType = result.response.headers.get('content-type');
      line.body = (await result.response.text()).slice(0, 500);
    } catch {
      // the body may have been read by the audit already
    }
  }
  console.log(JSON.stringify(line));
}
