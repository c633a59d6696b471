/**
 * Query features the IAM and STS models don't use today (input maps, flattened lists and maps,
 * renamed members, timestamps and blobs in input), on a small synthetic model, so that a model
 * update that starts using them is already handled.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../src/core/errors/index.js';
import type { ServiceModelData } from '../../src/protocol/index.js';
import { decodeForm } from '../../src/protocol/index.js';
import { buildFormTree } from '../../src/protocol/aws-query/form-tree.js';
import { compileInputReader } from '../../src/protocol/aws-query/input-reader.js';
import { compileOutputWriter } from '../../src/protocol/aws-query/output-writer.js';

const model: ServiceModelData = {
  service: 'iam',
  apiVersion: 'test',
  xmlNamespace: 'ns',
  source: 'synthetic',
  operations: { Op: { input: 'In', output: 'Out', resultWrapper: 'OpResult' } },
  shapes: {
    In: {
      type: 'structure',
      members: {
        Attributes: 'AttrMap',
        Flat: 'FlatList',
        FlatMap: 'FlatMapType',
        Renamed: { shape: 'Str', locationName: 'WireName' },
        Items: 'NamedList',
        When: 'Time',
        Data: 'Bytes',
        Ratio: 'Dbl',
        Node: 'Tree',
      },
    },
    Out: {
      type: 'structure',
      members: {
        Attributes: 'AttrMap',
        Flat: 'FlatList',
        FlatMap: 'FlatMapType',
        Renamed: { shape: 'Str', locationName: 'WireName' },
        Items: 'NamedList',
        Epoch: { shape: 'Time', timestampFormat: 'unixTimestamp' },
        Data: 'Bytes',
        Ratio: 'Dbl',
      },
    },
    AttrMap: { type: 'map', key: 'Str', value: 'Short', keyName: 'Name', valueName: 'Val', max: 2 },
    FlatList: { type: 'list', member: 'Str', flattened: true },
    FlatMapType: { type: 'map', key: 'Str', value: 'Str', flattened: true },
    NamedList: { type: 'list', member: 'Str', memberName: 'item' },
    Str: { type: 'string' },
    Short: { type: 'string', max: 3 },
    Time: { type: 'timestamp' },
    Bytes: { type: 'blob' },
    Dbl: { type: 'double' },
    // A structure that contains itself.
    Tree: { type: 'structure', members: { Name: 'Str', Child: 'Tree' } },
  },
};

const read = (body: string) => compileInputReader(model, 'In')(buildFormTree(decodeForm(body)));

describe('query features beyond the IAM and STS models', () => {
  test('input: maps with renamed key/value, flattened lists and maps, renamed members, named list items', () => {
    const { input, violations } = read(
      'Attributes.entry.1.Name=a&Attributes.entry.1.Val=1&Attributes.entry.2.Name=__proto__&Attributes.entry.2.Val=2' +
        '&Flat.1=x&Flat.2=y&FlatMap.1.key=k&FlatMap.1.value=v&WireName=r&Renamed=ignored&Items.item.1=i1',
    );
    assert.deepEqual(violations, []);
    assert.deepEqual(Object.keys(input), ['attributes', 'flat', 'flatMap', 'renamed', 'items']);
    assert.equal(Object.getPrototypeOf(input.attributes), Object.prototype, 'a __proto__ key stays data');
    assert.deepEqual(Object.entries(input.attributes as object), [
      ['a', '1'],
      ['__proto__', '2'],
    ]);
    assert.deepEqual(input.flat, ['x', 'y']);
    assert.deepEqual(input.flatMap, { k: 'v' });
    assert.equal(input.renamed, 'r');
    assert.deepEqual(input.items, ['i1']);
  });

  test('input: map constraints and paths', () => {
    const { violations } = read('Attributes.entry.1.Name=a&Attributes.entry.1.Val=long&Attributes.entry.2.Val=v&Attributes.entry.3.Name=c&Attributes.entry.3.Val=3&Attributes.entry.4.Name=d&Attributes.entry.4.Val=4');
    assert.deepEqual(violations, [
      "Value '{a=long, c=3, d=4}' at 'attributes' failed to satisfy constraint: Member must have length less than or equal to 2",
      "Value 'long' at 'attributes.1.value' failed to satisfy constraint: Member must have length less than or equal to 3",
      "Value null at 'attributes.2.key' failed to satisfy constraint: Member must not be null",
    ]);
  });

  test('input: timestamps (ISO 8601 or epoch seconds), base64 blobs, doubles, recursive structures', () => {
    const { input } = read('When=2024-01-02T03:04:05.5Z&Data=AP8%3D&Ratio=-1.5e2&Node.Name=a&Node.Child.Name=b&Node.Child.Child.Name=c');
    assert.deepEqual(input.when, new Date('2024-01-02T03:04:05.500Z'));
    assert.deepEqual(input.data, new Uint8Array([0, 255]));
    assert.equal(input.ratio, -150);
    assert.deepEqual(input.node, { name: 'a', child: { name: 'b', child: { name: 'c' } } });
    assert.deepEqual(read('When=1704164645').input.when, new Date('2024-01-02T03:04:05Z'));
    for (const body of ['When=yesterday', 'Data=*', 'Data=abc', 'Ratio=NaN', 'Ratio=1e999']) {
      assert.throws(() => read(body), (e: unknown) => e instanceof AwsError && e.code === 'InvalidParameterValue', body);
    }
  });

  test('output: renamed and flattened members, named list items, member timestamp format, doubles', () => {
    const write = compileOutputWriter(model, 'Out');
    const xml = write(
      {
        attributes: { a: '1' },
        flat: ['x', 'y'],
        flatMap: new Map([['k', 'v']]),
        renamed: 'r',
        items: ['i1'],
        epoch: new Date('2024-01-02T03:04:05Z'),
        data: new Uint8Array([0, 255]),
        ratio: 1.5,
      },
      'OpResult',
    );
    assert.equal(
      xml,
      '<OpResult><Attributes><entry><Name>a</Name><Val>1</Val></entry></Attributes>' +
        '<Flat>x</Flat><Flat>y</Flat><FlatMap><key>k</key><value>v</value></FlatMap>' +
        '<WireName>r</WireName><Items><item>i1</item></Items><Epoch>1704164645</Epoch><Data>AP8=</Data><Ratio>1.5</Ratio></OpResult>',
    );
  });
});
