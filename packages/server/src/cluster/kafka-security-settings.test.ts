// The parts of the Kafka security settings that kafka-settings.test.ts does not cover: what a user
// who brings upstream's Java stores is told, and the PEM forms Filly reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKafkaSecurity } from './kafka-security-settings.ts';
import { ConfigError } from '../config/config-error.ts';

const PEM_CERT = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const PEM_KEY = Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n');
const files: Record<string, Buffer> = {
  '/truststore.p12': Buffer.from([0x30, 0x82, 0x04, 0x00, 0x02, 0x01, 0x03]),
  '/truststore.jks': Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02]),
  '/bundle.pem': Buffer.concat([PEM_CERT, PEM_KEY]),
  '/ca.pem': PEM_CERT,
};
const readFile = (p: string): Buffer => files[p] ?? assert.fail(`unexpected read of ${p}`);
const SSL = { LHS_KAFKA_SECURITY_PROTOCOL: 'SSL' };

test('a PKCS12 or JKS trust store (upstream\'s form) is refused with the commands that convert it', () => {
  for (const store of ['/truststore.p12', '/truststore.jks']) {
    assert.throws(() => parseKafkaSecurity({ ...SSL, LHS_KAFKA_TRUSTSTORE: store, LHS_KAFKA_TRUSTSTORE_PASSWORD: 'changeit' }, readFile), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`^LHS_KAFKA_TRUSTSTORE=${store} is not PEM`));
      assert.match(e.message, /openssl pkcs12 -in truststore\.p12 -nokeys -passin pass:<its password> -out ca\.pem/);
      assert.match(e.message, /keytool -exportcert -rfc/);
      return true;
    });
  }
});

test('a PEM key store holds the certificate and the (possibly encrypted) key; its password unlocks the key', () => {
  const tls = parseKafkaSecurity({ ...SSL, LHS_KAFKA_KEYSTORE: '/bundle.pem', LHS_KAFKA_KEYSTORE_PASSWORD: 'pw', LHS_KAFKA_TRUSTSTORE: '/ca.pem' }, readFile).tls;
  assert.deepEqual(tls, { cert: files['/bundle.pem'], key: files['/bundle.pem'], passphrase: 'pw', ca: PEM_CERT });
  // No password is needed for a PEM key store (its key may be unencrypted), unlike a PKCS12 one.
  assert.deepEqual(parseKafkaSecurity({ ...SSL, LHS_KAFKA_KEYSTORE: '/bundle.pem' }, readFile).tls, { cert: files['/bundle.pem'], key: files['/bundle.pem'] });
  assert.throws(() => parseKafkaSecurity({ ...SSL, LHS_KAFKA_KEYSTORE: '/truststore.p12' }, readFile), /is a PKCS12 file: set LHS_KAFKA_KEYSTORE_PASSWORD/);
});
