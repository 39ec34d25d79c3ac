// Fetches a typed GraphQL endpoint's introspection, rebuilds the schema with graphql-js
// (buildClientSchema), validates it (validateSchema) and validates documents against it.
// Prints one JSON object: {schemaErrors, documentErrors, types, queryFields, mutationFields,
// subscriptionFields, sdl}.
//
//   node typed-introspection.mjs <endpoint URL> <token or ""> [document ...]
import { buildClientSchema, getIntrospectionQuery, parse, printSchema, validate, validateSchema } from 'graphql';

const [url, token, ...documents] = process.argv.slice(2);
if (!url) {
  console.error('usage: node typed-introspection.mjs <endpoint URL> <token> [document ...]');
  process.exit(2);
}
const headers = { 'content-type': 'application/json' };
if (token) headers.authorization = `Bearer ${token}`;
const res = await fetch(url, {
  method: 'POST',
  headers,
  body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }) }),
});
const body = await res.json();
if (!body.data) {
  console.error(JSON.stringify(body));
  process.exit(1);
}
const schema = buildClientSchema(body.data);
const fields = (t) => (t ? Object.keys(t.getFields()) : []);
console.log(JSON.stringify({
  schemaErrors: validateSchema(schema).map((e) => e.message),
  documentErrors: documents.map((d) => validate(schema, parse(d)).map((e) => e.message)),
  types: Object.keys(schema.getTypeMap()).length,
  queryFields: fields(schema.getQueryType()),
  mutationFields: fields(schema.getMutationType()),
  subscriptionFields: fields(schema.getSubscriptionType()),
  sdl: printSchema(schema),
}));
