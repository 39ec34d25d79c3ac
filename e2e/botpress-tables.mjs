// Runs every table method of the official @botpress/client against a gqlbase server and checks
// the answers. Usage: node botpress-tables.mjs <apiUrl> <token> <botId> <readOnlyToken>
// Prints one JSON line per call ({"method", "ok"}) and exits non-zero on the first failure.
import assert from 'node:assert/strict'
import { Client, isApiError } from '@botpress/client'

const [apiUrl, token, botId, readOnlyToken] = process.argv.slice(2)
if (!apiUrl || !token || !botId || !readOnlyToken) {
  console.error('usage: node botpress-tables.mjs <apiUrl> <token> <botId> <readOnlyToken>')
  process.exit(2)
}

const client = new Client({ apiUrl, token, botId })
const seen = []

async function step(method, fn) {
  try {
    await fn()
    seen.push(method)
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

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', 'x-zui': { index: 0, searchable: true } },
    age: { type: 'number', 'x-zui': { index: 1 } },
    email: { type: 'string', 'x-zui': { index: 2 } },
    vip: { type: 'boolean', 'x-zui': { index: 3 } },
    joined: { type: 'string', format: 'date-time', 'x-zui': { index: 4 } },
    tier: { type: 'string', enum: ['gold', 'silver'], 'x-zui': { index: 5 } },
    meta: { type: 'object', 'x-zui': { index: 6 } },
  },
  required: ['name'],
  additionalProperties: true,
}

let tableId

await step('createTable', async () => {
  const { table } = await client.createTable({ name: 'customersTable', schema, keyColumn: 'email', tags: { team: 'sales' } })
  assert.equal(table.name, 'customersTable')
  assert.equal(table.keyColumn, 'email')
  assert.deepEqual(table.tags, { team: 'sales' })
  assert.equal(table.schema.properties.joined.format, 'date-time')
  assert.deepEqual(table.schema.properties.tier.enum, ['gold', 'silver'])
  assert.equal(table.schema.properties.name['x-zui'].searchable, true)
  assert.deepEqual(table.schema.required, ['name'])
  tableId = table.id
  await expectApiError(client.createTable({ name: 'customersTable', schema }), 'AlreadyExists')
})

await step('listTables', async () => {
  await client.createTable({ name: 'otherTable', schema: { note: { type: 'string' } } })
  const all = await client.listTables({})
  assert.deepEqual(all.tables.map((t) => t.name).sort(), ['customersTable', 'otherTable'])
  const sales = await client.listTables({ tags: { team: 'sales' } })
  assert.deepEqual(sales.tables.map((t) => t.name), ['customersTable'])
})

await step('getTable', async () => {
  const byName = await client.getTable({ table: 'customersTable' })
  assert.equal(byName.table.id, tableId)
  assert.equal(byName.rows, 0)
  const byId = await client.getTable({ table: tableId })
  assert.equal(byId.table.name, 'customersTable')
  await expectApiError(client.getTable({ table: 'missingTable' }), 'ResourceNotFound')
})

await step('getOrCreateTable', async () => {
  const first = await client.getOrCreateTable({ table: 'eventsTable', schema: { kind: { type: 'string' }, n: { type: 'number' } } })
  assert.equal(first.created, true)
  const again = await client.getOrCreateTable({ table: 'eventsTable', schema: { kind: { type: 'string' } } })
  assert.equal(again.created, false)
  assert.equal(again.table.id, first.table.id)
})

let rows
await step('createTableRows', async () => {
  const res = await client.createTableRows({
    table: 'customersTable',
    rows: [
      { name: 'Ann', age: 31, email: 'ann@example.com', vip: true, joined: '2024-01-02T03:04:05Z', tier: 'gold', meta: { a: 1 } },
      { name: 'Bob', age: 45, email: 'bob@example.com', vip: false, tier: 'silver' },
      { name: 'Cy', age: 27, email: 'cy@example.com', vip: false, unknownColumn: 'x' },
      { name: 'Dee', age: 52, email: 'dee@example.com', vip: true, tier: 'gold' },
    ],
  })
  rows = res.rows
  assert.equal(rows.length, 4)
  assert.equal(typeof rows[0].id, 'number')
  assert.equal(rows[0].name, 'Ann')
  assert.deepEqual(rows[0].meta, { a: 1 })
  assert.ok(rows[0].createdAt && rows[0].updatedAt)
  assert.ok(res.warnings.some((w) => w.includes('unknownColumn')), JSON.stringify(res.warnings))
  await expectApiError(client.createTableRows({ table: 'customersTable', rows: [{ age: 3 }] }), 'InvalidPayload')
  await expectApiError(client.createTableRows({ table: 'customersTable', rows: [{ name: 'x', tier: 'bronze' }] }), 'InvalidPayload')
})

await step('getTableRow', async () => {
  const { row } = await client.getTableRow({ table: 'customersTable', id: rows[1].id })
  assert.equal(row.name, 'Bob')
  await expectApiError(client.getTableRow({ table: 'customersTable', id: 999999 }), 'ResourceNotFound')
})

await step('findTableRows', async () => {
  const all = await client.findTableRows({ table: 'customersTable' })
  assert.equal(all.rows.length, 4)
  assert.equal(all.hasMore, false)
  const page = await client.findTableRows({ table: 'customersTable', limit: 2, offset: 1, orderBy: 'age', orderDirection: 'desc' })
  assert.deepEqual(page.rows.map((r) => r.name), ['Bob', 'Ann'])
  assert.equal(page.hasMore, true)
  const f = await client.findTableRows({ table: 'customersTable', filter: { age: { $gte: 30 }, vip: true } })
  assert.deepEqual(f.rows.map((r) => r.name).sort(), ['Ann', 'Dee'])
  const or = await client.findTableRows({ table: 'customersTable', filter: { $or: [{ name: 'Cy' }, { tier: { $in: ['silver'] } }] } })
  assert.deepEqual(or.rows.map((r) => r.name).sort(), ['Bob', 'Cy'])
  const not = await client.findTableRows({ table: 'customersTable', filter: { $not: { vip: { $eq: true } } } })
  assert.deepEqual(not.rows.map((r) => r.name).sort(), ['Bob', 'Cy'])
  const exists = await client.findTableRows({ table: 'customersTable', filter: { tier: { $exists: false } } })
  assert.deepEqual(exists.rows.map((r) => r.name), ['Cy'])
  const re = await client.findTableRows({ table: 'customersTable', filter: { email: { $regex: '^b.*@example\\.com$' } } })
  assert.deepEqual(re.rows.map((r) => r.name), ['Bob'])
  const rei = await client.findTableRows({ table: 'customersTable', filter: { name: { $regex: 'EE', $options: 'i' } } })
  assert.deepEqual(rei.rows.map((r) => r.name), ['Dee'])
  await expectApiError(client.findTableRows({ table: 'customersTable', filter: { name: { $regex: '(a|b)+' } } }), 'InvalidPayload')
  const nin = await client.findTableRows({ table: 'customersTable', filter: { $and: [{ age: { $lt: 50 } }, { name: { $nin: ['Ann'] } }, { age: { $ne: 27 } }] } })
  assert.deepEqual(nin.rows.map((r) => r.name), ['Bob'])
  const sel = await client.findTableRows({ table: 'customersTable', select: ['name'], limit: 1 })
  assert.deepEqual(Object.keys(sel.rows[0]).filter((k) => !['id', 'createdAt', 'updatedAt', 'computed', 'stale'].includes(k)), ['name'])
  const search = await client.findTableRows({ table: 'customersTable', search: 'Dee' })
  assert.deepEqual(search.rows.map((r) => r.name), ['Dee'])
  const g = await client.findTableRows({ table: 'customersTable', group: { vip: 'key', age: ['sum', 'avg', 'max', 'min'], id: 'count' } })
  const byVip = Object.fromEntries(g.rows.map((r) => [String(r.vipKey), r]))
  assert.equal(byVip.true.ageSum, 83)
  assert.equal(byVip.false.ageMax, 45)
  assert.equal(byVip.false.ageMin, 27)
  assert.equal(byVip.true.idCount, 2)
  assert.equal(Number(byVip.false.ageAvg), 36)
})

await step('updateTableRows', async () => {
  const res = await client.updateTableRows({ table: 'customersTable', rows: [{ id: rows[2].id, age: 28, tier: 'silver' }] })
  assert.equal(res.rows[0].age, 28)
  assert.equal(res.rows[0].tier, 'silver')
})

await step('upsertTableRows', async () => {
  const res = await client.upsertTableRows({
    table: 'customersTable',
    keyColumn: 'email',
    rows: [
      { name: 'Ann B.', email: 'ann@example.com' },
      { name: 'Eve', email: 'eve@example.com', age: 22 },
    ],
  })
  assert.deepEqual(res.updated.map((r) => r.name), ['Ann B.'])
  assert.deepEqual(res.inserted.map((r) => r.name), ['Eve'])
  const byId = await client.upsertTableRows({ table: 'customersTable', rows: [{ id: rows[1].id, age: 46 }, { name: 'Fay' }] })
  assert.equal(byId.updated[0].age, 46)
  assert.equal(byId.inserted[0].name, 'Fay')
})

await step('deleteTableRows', async () => {
  const byIds = await client.deleteTableRows({ table: 'customersTable', ids: [rows[3].id] })
  assert.equal(byIds.deletedRows, 1)
  const byFilter = await client.deleteTableRows({ table: 'customersTable', filter: { name: 'Fay' } })
  assert.equal(byFilter.deletedRows, 1)
  const left = await client.getTable({ table: 'customersTable' })
  assert.equal(left.rows, 4)
  const all = await client.deleteTableRows({ table: 'eventsTable', deleteAllRows: true })
  assert.equal(all.deletedRows, 0)
})

await step('updateTable', async () => {
  const { table } = await client.updateTable({
    table: 'customersTable',
    name: 'clientsTable',
    tags: { team: 'support' },
    schema: { properties: { score: { type: 'number', 'x-zui': { index: 7 } }, meta: null } },
  })
  assert.equal(table.name, 'clientsTable')
  assert.deepEqual(table.tags, { team: 'support' })
  assert.ok(table.schema.properties.score)
  assert.equal(table.schema.properties.meta, undefined)
  const frozen = await client.updateTable({ table: 'clientsTable', frozen: true })
  assert.equal(frozen.table.frozen, true)
  await expectApiError(client.updateTable({ table: 'clientsTable', name: 'renamedTable' }), 'ResourceLockedConflict')
  await client.updateTable({ table: 'clientsTable', frozen: false })
})

await step('renameTableColumn', async () => {
  const { table } = await client.renameTableColumn({ table: 'clientsTable', name: 'age', newName: 'years' })
  assert.ok(table.schema.properties.years)
  assert.equal(table.schema.properties.age, undefined)
  const { row } = await client.getTableRow({ table: 'clientsTable', id: rows[1].id })
  assert.equal(row.years, 46)
})

await step('duplicateTable', async () => {
  const { table } = await client.duplicateTable({ sourceTableId: 'clientsTable', tableName: 'clientsCopyTable' })
  assert.equal(table.name, 'clientsCopyTable')
  const copy = await client.getTable({ table: 'clientsCopyTable' })
  assert.equal(copy.rows, 4)
  const empty = await client.duplicateTable({ sourceTableId: table.id, tableName: 'emptyCopyTable', schemaOnly: true })
  assert.equal((await client.getTable({ table: empty.table.id })).rows, 0)
})

await step('deleteTable', async () => {
  await client.deleteTable({ table: 'emptyCopyTable' })
  await expectApiError(client.getTable({ table: 'emptyCopyTable' }), 'ResourceNotFound')
})

await step('errors', async () => {
  const anonymous = new Client({ apiUrl, botId })
  await expectApiError(anonymous.listTables({}), 'Unauthorized')
  const bad = new Client({ apiUrl, token: 'gqb_not_a_real_token', botId })
  await expectApiError(bad.listTables({}), 'Unauthorized')
  const readOnly = new Client({ apiUrl, token: readOnlyToken, botId })
  const found = await readOnly.findTableRows({ table: 'clientsTable', limit: 1 })
  assert.equal(found.rows.length, 1)
  await expectApiError(readOnly.createTableRows({ table: 'clientsTable', rows: [{ name: 'nope' }] }), 'Forbidden')
  await expectApiError(readOnly.createTable({ name: 'nopeTable', schema: { a: { type: 'string' } } }), 'Forbidden')
})

const methods = ['listTables', 'getTable', 'getOrCreateTable', 'createTable', 'duplicateTable', 'updateTable',
  'renameTableColumn', 'deleteTable', 'getTableRow', 'findTableRows', 'createTableRows', 'updateTableRows',
  'upsertTableRows', 'deleteTableRows']
for (const m of methods) {
  assert.ok(seen.includes(m), `method ${m} was not exercised`)
}
console.log(JSON.stringify({ done: true, methods: methods.length }))
