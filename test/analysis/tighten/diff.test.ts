import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyDiff, proposeTightening, unifiedDiff } from '../../../src/analysis/tighten/index.js';
import { ACCOUNT, NOW, SINCE_30D, doc, smallAccount, used } from '../usage/helpers.js';

describe('diff', () => {
  it('unified hunks with three lines of context, merged when close', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n');
    assert.equal(unifiedDiff(before, after, { fromLabel: 'old', toLabel: 'new' }), '--- old\n+++ new\n@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n');
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const diff = unifiedDiff(lines, lines.replace('l2', 'L2').replace('l17', 'L17'));
    assert.deepEqual(diff.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,6 +1,6 @@', '@@ -15,6 +15,6 @@']);
    assert.equal(unifiedDiff('same\n', 'same\n'), '');
  });

  it('a proposal reads statement by statement, then its removals', () => {
    const user = `arn:aws:iam::${ACCOUNT}:user/p`;
    const index = smallAccount({ inline: { app: doc({ Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }, { Sid: 'Logs', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }) } });
    const result = proposeTightening({ index, principalArn: user, usage: [used(user, 's3:GetObject', 'arn:aws:s3:::b/in/1.csv')], since: SINCE_30D, now: NOW });
    assert.equal(
      policyDiff(result.policies[0]),
      `--- inline policy app of user p (current)
+++ inline policy app of user p (proposed)
@@ -4,17 +4,8 @@
     {
       "Sid": "Data",
       "Effect": "Allow",
-      "Action": [
-        "s3:GetObject",
-        "s3:PutObject"
-      ],
-      "Resource": "arn:aws:s3:::b/*"
-    },
+      "Action": "s3:GetObject",
+      "Resource": "arn:aws:s3:::b/in/1.csv"
+    }
-    {
-      "Sid": "Logs",
-      "Effect": "Allow",
-      "Action": "logs:PutLogEvents",
-      "Resource": "*"
-    }
   ]
 }
Removed from inline policy app of user p:
  - $.Statement[0].Action[1] (Data) s3:PutObject: not used since 2026-05-02
  - $.Statement[0].Resource (Data) Resource arn:aws:s3:::b/* narrowed to arn:aws:s3:::b/in/1.csv: only 1 resource used since 2026-05-02
  - $.Statement[1] (Logs) logs:PutLogEvents on *: not used since 2026-05-02
`,
    );
  });
});
