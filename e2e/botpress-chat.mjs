// Runs every Chat method of the official @botpress/client against a gqlbase server and checks
// the answers. Usage: node botpress-chat.mjs <apiUrl> <token> <botId>
// Prints one JSON line per call ({"method", "ok"}), then {"done": true, "methods": N}, and
// exits non-zero on the first failure.
import assert from 'node:assert/strict'
import { Client, isApiError } from '@botpress/client'

const [apiUrl, token, botId] = process.argv.slice(2)
if (!apiUrl || !token || !botId) {
  console.error('usage: node botpress-chat.mjs <apiUrl> <token> <botId>')
  process.exit(2)
}

const client = new Client({ apiUrl, token, botId })
const seen = new Set()

async function step(method, fn) {
  try {
    await fn()
    seen.add(method)
    console.log(JSON.stringify({ method, ok: true }))
  } catch (err) {
    console.log(JSON.stringify({ method, ok: false, error: String(err && err.stack ? err.stack : err) }))
    process.exit(1)
  }
}

async function expectApiError(promise, type) {
  try {
    await promise
  } catch (err) {
    assert.ok(isApiError(err), `not an API error: ${err}`)
    assert.equal(err.type, type, `error type ${err.type}: ${err.message}`)
    return err
  }
  assert.fail(`expected a ${type} error`)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
let ann, bob, conv

await step('createUser', async () => {
  ;({ user: ann } = await client.createUser({ name: 'Ann', tags: { email: 'ann@example.com', empty: '' } }))
  assert.equal(ann.name, 'Ann')
  assert.deepEqual(ann.tags, { email: 'ann@example.com' })
  assert.equal(typeof ann.id, 'string')
})
await step('getOrCreateUser', async () => {
  const first = await client.getOrCreateUser({ name: 'Bob', tags: { email: 'bob@example.com' } })
  assert.equal(first.meta.created, true)
  const again = await client.getOrCreateUser({ name: 'Bob again', tags: { email: 'bob@example.com' } })
  assert.equal(again.meta.created, false)
  assert.equal(again.user.id, first.user.id)
  bob = first.user
})
await step('getUser', async () => {
  const { user } = await client.getUser({ id: ann.id })
  assert.equal(user.id, ann.id)
  await expectApiError(client.getUser({ id: '999999' }), 'ResourceNotFound')
})
await step('updateUser', async () => {
  const { user } = await client.updateUser({ id: ann.id, name: 'Ann B', tags: { email: '', team: 'red' } })
  assert.equal(user.name, 'Ann B')
  assert.deepEqual(user.tags, { team: 'red' })
})
await step('listUsers', async () => {
  const { users } = await client.listUsers({ tags: { team: 'red' } })
  assert.deepEqual(users.map((u) => u.id), [ann.id])
  const all = await client.listUsers({})
  assert.deepEqual(all.users.map((u) => u.id), [bob.id, ann.id], 'newest first')
})
await step('createConversation', async () => {
  ;({ conversation: conv } = await client.createConversation({ channel: 'web', tags: { thread: 't1' } }))
  assert.equal(conv.channel, 'web')
  assert.deepEqual(conv.tags, { thread: 't1' })
})
await step('getOrCreateConversation', async () => {
  const a = await client.getOrCreateConversation({ channel: 'web', tags: { thread: 't2' } })
  const b = await client.getOrCreateConversation({ channel: 'web', tags: { thread: 't2', extra: 'x' }, discriminateByTags: ['thread'] })
  assert.equal(a.meta.created, true)
  assert.equal(b.meta.created, false)
  assert.equal(b.conversation.id, a.conversation.id)
})
await step('getConversation', async () => {
  const { conversation } = await client.getConversation({ id: conv.id })
  assert.equal(conversation.id, conv.id)
})
await step('updateConversation', async () => {
  const { conversation } = await client.updateConversation({ id: conv.id, tags: { thread: '', topic: 'billing' } })
  assert.deepEqual(conversation.tags, { topic: 'billing' })
})
await step('addParticipant', async () => {
  const { participant } = await client.addParticipant({ id: conv.id, userId: ann.id })
  assert.equal(participant.id, ann.id)
  await client.addParticipant({ id: conv.id, userId: bob.id })
  await client.addParticipant({ id: conv.id, userId: bob.id }) // twice changes nothing
})
await step('getParticipant', async () => {
  const { participant } = await client.getParticipant({ id: conv.id, userId: bob.id })
  assert.equal(participant.id, bob.id)
})
await step('listParticipants', async () => {
  const { participants } = await client.listParticipants({ id: conv.id })
  assert.deepEqual(participants.map((p) => p.id).sort(), [ann.id, bob.id].sort())
})
await step('listConversations', async () => {
  const { conversations } = await client.listConversations({ participantIds: [ann.id, bob.id] })
  assert.deepEqual(conversations.map((c) => c.id), [conv.id])
  const tagged = await client.listConversations({ tags: { topic: 'billing' } })
  assert.deepEqual(tagged.conversations.map((c) => c.id), [conv.id])
})
await step('removeParticipant', async () => {
  await client.removeParticipant({ id: conv.id, userId: bob.id })
  await expectApiError(client.getParticipant({ id: conv.id, userId: bob.id }), 'ResourceNotFound')
})

let message
await step('createMessage', async () => {
  ;({ message } = await client.createMessage({ conversationId: conv.id, userId: ann.id, type: 'text', payload: { text: 'hi' }, tags: { n: '0' } }))
  assert.equal(message.type, 'text')
  assert.deepEqual(message.payload, { text: 'hi' })
  assert.equal(message.direction, 'outgoing')
  assert.equal(message.conversationId, conv.id)
  assert.equal(message.userId, ann.id)
})
await step('getOrCreateMessage', async () => {
  const a = await client.getOrCreateMessage({ conversationId: conv.id, userId: ann.id, type: 'text', payload: { text: 'once' }, tags: { key: 'k1' } })
  const b = await client.getOrCreateMessage({ conversationId: conv.id, userId: ann.id, type: 'text', payload: { text: 'once' }, tags: { key: 'k1' } })
  assert.equal(a.meta.created, true)
  assert.equal(b.meta.created, false)
  assert.equal(a.message.id, b.message.id)
})
await step('getMessage', async () => {
  const { message: m } = await client.getMessage({ id: message.id })
  assert.equal(m.id, message.id)
})
await step('updateMessage', async () => {
  const { message: m } = await client.updateMessage({ id: message.id, tags: { n: '', seen: 'yes' } })
  assert.deepEqual(m.tags, { seen: 'yes' })
})
await step('listMessages', async () => {
  const { conversation: c } = await client.createConversation({ channel: 'web' })
  for (let i = 0; i < 45; i++) {
    await client.createMessage({ conversationId: c.id, userId: ann.id, type: 'text', payload: { i } })
  }
  const p1 = await client.listMessages({ conversationId: c.id })
  const p2 = await client.listMessages({ conversationId: c.id, nextToken: p1.meta.nextToken })
  const p3 = await client.listMessages({ conversationId: c.id, nextToken: p2.meta.nextToken })
  assert.deepEqual([p1.messages.length, p2.messages.length, p3.messages.length], [20, 20, 5])
  assert.equal(p3.meta.nextToken, undefined)
  const order = [...p1.messages, ...p2.messages, ...p3.messages].map((m) => m.payload.i)
  assert.deepEqual(order, Array.from({ length: 45 }, (_, i) => 44 - i), 'newest first, no gaps or repeats')
  const all = await client.list.messages({ conversationId: c.id }).collect()
  assert.equal(all.length, 45)
})
await step('deleteMessage', async () => {
  await client.deleteMessage({ id: message.id })
  await expectApiError(client.getMessage({ id: message.id }), 'ResourceNotFound')
})

let scheduled
await step('createEvent', async () => {
  const { event } = await client.createEvent({ type: 'ping', payload: { a: 1 }, conversationId: conv.id })
  assert.equal(event.status, 'pending')
  ;({ event: scheduled } = await client.createEvent({ type: 'later', payload: {}, schedule: { delay: 1500 } }))
  assert.equal(scheduled.status, 'scheduled')
})
await step('getEvent', async () => {
  await sleep(1700)
  const { event } = await client.getEvent({ id: scheduled.id })
  assert.equal(event.status, 'pending', 'a scheduled event is pending once due')
})
await step('cancelScheduledEvent', async () => {
  const { event } = await client.createEvent({ type: 'never', payload: {}, schedule: { dateTime: new Date(Date.now() + 3600e3).toISOString() } })
  await client.cancelScheduledEvent({ id: event.id })
  const { event: got } = await client.getEvent({ id: event.id })
  assert.equal(got.status, 'canceled')
  await expectApiError(client.cancelScheduledEvent({ id: event.id }), 'InvalidPayload')
})
await step('listEvents', async () => {
  const { events } = await client.listEvents({ status: 'canceled' })
  assert.equal(events.length, 1)
  const byConv = await client.listEvents({ conversationId: conv.id })
  assert.deepEqual(byConv.events.map((e) => e.type), ['ping'])
})

await step('setState', async () => {
  const { state } = await client.setState({ type: 'conversation', id: conv.id, name: 'cart', payload: { items: 1 } })
  assert.deepEqual(state.payload, { items: 1 })
  assert.equal(state.conversationId, conv.id)
  assert.equal(state.botId, botId)
})
await step('getState', async () => {
  const { state } = await client.getState({ type: 'conversation', id: conv.id, name: 'cart' })
  assert.deepEqual(state.payload, { items: 1 })
  await expectApiError(client.getState({ type: 'user', id: ann.id, name: 'nope' }), 'ResourceNotFound')
})
await step('patchState', async () => {
  const { state } = await client.patchState({ type: 'conversation', id: conv.id, name: 'cart', payload: { total: 5 } })
  assert.deepEqual(state.payload, { items: 1, total: 5 })
})
await step('getOrSetState', async () => {
  const a = await client.getOrSetState({ type: 'user', id: ann.id, name: 'prefs', payload: { lang: 'en' } })
  const b = await client.getOrSetState({ type: 'user', id: ann.id, name: 'prefs', payload: { lang: 'fr' } })
  assert.equal(a.meta.created, true)
  assert.equal(b.meta.created, false)
  assert.deepEqual(b.state.payload, { lang: 'en' })
})
await step('setStateExpiry', async () => {
  await client.setState({ type: 'bot', id: botId, name: 'short', payload: { v: 1 }, expiry: 60000 })
  const { state } = await client.setStateExpiry({ type: 'bot', id: botId, name: 'short', expiry: 1 })
  assert.equal(state.expiry, 1)
  await sleep(50)
  await expectApiError(client.getState({ type: 'bot', id: botId, name: 'short' }), 'ResourceNotFound')
})
await step('listTagValues', async () => {
  const { tags } = await client.listTagValues({ key: 'team', type: 'user' })
  assert.deepEqual(tags, [{ value: 'red' }])
})
await step('trackAnalytics', async () => {
  await client.trackAnalytics({ name: 'visits', count: 1 })
})
await step('callAction', async () => {
  // An action is a server function of the bot's database of that name; make two through the
  // platform GraphQL API, then call them as the client does.
  const gql = async (query, variables) => {
    const res = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    const body = await res.json()
    assert.ok(!body.errors, JSON.stringify(body.errors))
    return body.data
  }
  const { databases } = await gql('{ databases { id name } }')
  const db = databases.find((d) => d.name === botId)
  assert.ok(db, `no database named ${botId}`)
  const make = `mutation($in: CreateFunctionInput!) { createFunction(input: $in) { id } }`
  await gql(make, { in: { databaseId: db.id, name: 'greet', code: 'export default (input) => ({ hello: input.name })' } })
  await gql(make, { in: { databaseId: db.id, name: 'fail', code: 'export default () => { throw new Error("no luck") }' } })
  const { output } = await client.callAction({ type: 'greet', input: { name: 'ann' } })
  assert.deepEqual(output, { hello: 'ann' })
  const err = await expectApiError(client.callAction({ type: 'fail', input: {} }), 'Runtime')
  assert.match(err.message, /no luck/)
  await expectApiError(client.callAction({ type: 'nope:act', input: {} }), 'Unknown')
})
await step('createWorkflow', async () => {
  // The client builds an UnknownError from the type (its code is always 500); the message
  // says what is missing.
  const err = await expectApiError(client.createWorkflow({ name: 'w', input: {} }), 'Unknown')
  assert.match(err.message, /workflows is not available/)
})
await step('deleteConversation', async () => {
  await client.deleteConversation({ id: conv.id })
  await expectApiError(client.getConversation({ id: conv.id }), 'ResourceNotFound')
})
await step('deleteUser', async () => {
  await client.deleteUser({ id: bob.id })
  await expectApiError(client.getUser({ id: bob.id }), 'ResourceNotFound')
})
await step('errors', async () => {
  await expectApiError(new Client({ apiUrl, token: 'bad', botId }).listUsers({}), 'Unauthorized')
  await expectApiError(new Client({ apiUrl, token }).listUsers({}), 'InvalidPayload')
  await expectApiError(client.createMessage({ conversationId: 'nope', userId: ann.id, type: 'text', payload: {} }), 'ResourceNotFound')
  const tables = await client.listTables({})
  assert.ok(!tables.tables.some((t) => t.name.startsWith('_chat_')), 'chat tables are not listed as Tables')
})

console.log(JSON.stringify({ done: true, methods: seen.size }))
