// Auto Scaling: the scaffold's first test. It calls DescribeAccountLimits through the gateway and expects
// the stub's answer; replace it with the official client (@aws-sdk/client-…) as operations are served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, region } from '../helpers.js';

const nimbus = serverForFile();

/** A request signed with a key Nimbus takes on its word (IAM not enforced): the scope routes it to autoscaling. */
function signedHeaders(): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const scope = `test/${amzDate.slice(0, 8)}/${region}/autoscaling/aws4_request`;
  return { 'x-amz-date': amzDate, authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=0` };
}

test('DescribeAccountLimits reaches the autoscaling provider: not implemented yet, in the service\'s protocol', async () => {
  const protocol: string = "query";
  const headers = signedHeaders();
  let url = nimbus.url + '/';
  let method = 'POST';
  let body: string | undefined;
  if (protocol === 'json') {
    headers['x-amz-target'] = "undefined.DescribeAccountLimits";
    headers['content-type'] = 'application/x-amz-json-1.0';
    body = '{}';
  } else if (protocol === 'query' || protocol === 'ec2') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = "Action=DescribeAccountLimits&Version=2011-01-01";
  } else {
    method = "POST";
    url = nimbus.url + "/";
    if (method !== 'GET' && method !== 'HEAD') body = protocol === 'rest-json' ? '{}' : '';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  assert.equal(res.status, 501, text);
  assert.match(text, /NotImplemented/);
  assert.match(text, /DescribeAccountLimits/);
});
