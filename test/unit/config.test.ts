// server/config.ts: kube-apiserver flag names, KUBE_APISERVER_* environment, defaults, and the
// messages a bad value gets (main.js prints them and exits 2).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

describe('loadConfig defaults', () => {
  it('gives a local single-instance setup with kube-apiserver\'s defaults', () => {
    const cfg = loadConfig([], {});
    expect(cfg.etcdServers).toEqual(['http://127.0.0.1:2379']);
    expect(cfg.bindAddress).toBe('127.0.0.1');
    expect(cfg.securePort).toBe(6443);
    expect(cfg.tlsCertFile).toBeUndefined();
    expect(cfg.tlsPrivateKeyFile).toBeUndefined();
    expect(cfg.serviceClusterIPRange).toBe('10.96.0.0/12');
    expect(cfg.serviceNodePortRange).toEqual([30000, 32767]);
    expect(cfg.etcdCompactionIntervalSeconds).toBe(300);
    expect(cfg.etcdRequestTimeoutSeconds).toBe(5);
    expect(cfg.watchBookmarkIntervalSeconds).toBe(60);
    expect(cfg.instanceName).toBe('apiserver-6443');
  });

  it('names the instance after its port unless told', () => {
    expect(loadConfig(['--secure-port=7443'], {}).instanceName).toBe('apiserver-7443');
    expect(loadConfig(['--secure-port=7443', '--instance-name=apiserver-2'], {}).instanceName).toBe('apiserver-2');
  });
});

describe('loadConfig flags', () => {
  it('takes --flag=value and --flag value', () => {
    const cfg = loadConfig(['--etcd-servers=http://a:1,http://b:2', '--secure-port', '7000', '--bind-address', '0.0.0.0'], {});
    expect(cfg.etcdServers).toEqual(['http://a:1', 'http://b:2']);
    expect(cfg.securePort).toBe(7000);
    expect(cfg.bindAddress).toBe('0.0.0.0');
  });

  it('trims and drops empty etcd servers', () => {
    expect(loadConfig(['--etcd-servers= http://a:1 ,,http://b:2,'], {}).etcdServers).toEqual(['http://a:1', 'http://b:2']);
  });

  it('reads ranges and TLS files', () => {
    const cfg = loadConfig(['--service-cluster-ip-range=10.0.0.0/24', '--service-node-port-range=31000-31100',
      '--tls-cert-file=/c.pem', '--tls-private-key-file=/k.pem'], {});
    expect(cfg.serviceClusterIPRange).toBe('10.0.0.0/24');
    expect(cfg.serviceNodePortRange).toEqual([31000, 31100]);
    expect(cfg.tlsCertFile).toBe('/c.pem');
    expect(cfg.tlsPrivateKeyFile).toBe('/k.pem');
  });

  it('reads Go-style durations and plain seconds', () => {
    expect(loadConfig(['--etcd-compaction-interval=10m'], {}).etcdCompactionIntervalSeconds).toBe(600);
    expect(loadConfig(['--etcd-compaction-interval=1h'], {}).etcdCompactionIntervalSeconds).toBe(3600);
    expect(loadConfig(['--etcd-compaction-interval=0'], {}).etcdCompactionIntervalSeconds).toBe(0);
    expect(loadConfig(['--etcd-request-timeout=30s'], {}).etcdRequestTimeoutSeconds).toBe(30);
    expect(loadConfig(['--etcd-request-timeout=1500ms'], {}).etcdRequestTimeoutSeconds).toBe(1.5);
    expect(loadConfig(['--watch-bookmark-interval=7'], {}).watchBookmarkIntervalSeconds).toBe(7);
  });

  it('reads the in-flight limits (kube: 400 and 200, 0 for none) and the event-loop block threshold (5s, 0 for none)', () => {
    const d = loadConfig([], {});
    expect([d.maxRequestsInFlight, d.maxMutatingRequestsInFlight, d.eventLoopBlockThresholdSeconds]).toEqual([400, 200, 5]);
    const cfg = loadConfig(['--max-requests-inflight=0', '--max-mutating-requests-inflight', '7', '--event-loop-block-threshold=1500ms'], {});
    expect([cfg.maxRequestsInFlight, cfg.maxMutatingRequestsInFlight, cfg.eventLoopBlockThresholdSeconds]).toEqual([0, 7, 1.5]);
    expect(() => loadConfig(['--max-requests-inflight=-1'], {})).toThrow(/--max-requests-inflight must be a whole number/);
  });

  it('reads the watch settings', () => {
    const cfg = loadConfig(['--watch-cache-history=50', '--watch-max-queued-bytes=1024'], {});
    expect(cfg.watchCacheHistory).toBe(50);
    expect(cfg.watchMaxQueuedBytes).toBe(1024);
  });
});

describe('loadConfig environment', () => {
  it('reads KUBE_APISERVER_<FLAG> when the flag is not given', () => {
    const env = { KUBE_APISERVER_SECURE_PORT: '7100', KUBE_APISERVER_ETCD_SERVERS: 'http://e:1', KUBE_APISERVER_ETCD_REQUEST_TIMEOUT: '2s' };
    const cfg = loadConfig([], env);
    expect(cfg.securePort).toBe(7100);
    expect(cfg.etcdServers).toEqual(['http://e:1']);
    expect(cfg.etcdRequestTimeoutSeconds).toBe(2);
  });

  it('lets flags win over the environment', () => {
    expect(loadConfig(['--secure-port=7200'], { KUBE_APISERVER_SECURE_PORT: '7100' }).securePort).toBe(7200);
  });

  it('ignores unrelated environment variables', () => {
    expect(loadConfig([], { SECURE_PORT: '1', KUBE_APISERVER: 'x' }).securePort).toBe(6443);
  });
});

describe('loadConfig bad values', () => {
  it('rejects unknown flags and stray arguments', () => {
    expect(() => loadConfig(['--nope=1'], {})).toThrow(/unknown flag: --nope/);
    expect(() => loadConfig(['6443'], {})).toThrow(/unexpected argument 6443/);
  });

  it('rejects ports and counts that are not whole numbers', () => {
    expect(() => loadConfig(['--secure-port=abc'], {})).toThrow(/--secure-port must be a whole number, got abc/);
    expect(() => loadConfig(['--secure-port=-1'], {})).toThrow(/whole number/);
    expect(() => loadConfig(['--watch-cache-history=1.5'], {})).toThrow(/--watch-cache-history must be a whole number/);
    expect(() => loadConfig([], { KUBE_APISERVER_SECURE_PORT: 'x' })).toThrow(/--secure-port must be a whole number, got x/);
  });

  it('rejects a node port range that is not low-high', () => {
    expect(() => loadConfig(['--service-node-port-range=1'], {})).toThrow(/30000-32767, got 1/);
  });

  it('rejects durations it cannot read', () => {
    expect(() => loadConfig(['--etcd-compaction-interval=soon'], {})).toThrow(/--etcd-compaction-interval must be a duration like 5m or 30s, got soon/);
    expect(() => loadConfig(['--etcd-request-timeout=5d'], {})).toThrow(/duration/);
  });

  it('takes kube\'s etcd TLS flags and the Redis credentials as files, refusing pairings that cannot work', () => {
    const cfg = loadConfig(['--etcd-servers=https://a:2379', '--etcd-cafile=/p/etcd/ca.crt', '--etcd-certfile=/p/c.crt', '--etcd-keyfile=/p/c.key',
      '--redis-url=rediss://kube-apiserver@r:6379', '--redis-password-file=/p/redis.password', '--redis-ca-file=/p/redis/ca.crt',
      '--redis-cert-file=/p/rc.crt', '--redis-key-file=/p/rc.key', '--redis-stream-key-file=/p/fanout-stream.key'], {});
    expect(cfg).toMatchObject({ etcdCAFile: '/p/etcd/ca.crt', etcdCertFile: '/p/c.crt', etcdKeyFile: '/p/c.key', redisPasswordFile: '/p/redis.password',
      redisCAFile: '/p/redis/ca.crt', redisCertFile: '/p/rc.crt', redisKeyFile: '/p/rc.key', redisStreamKeyFile: '/p/fanout-stream.key' });
    // Plain by default, as kube-apiserver.
    expect(loadConfig([], {})).toMatchObject({ etcdCAFile: undefined, etcdCertFile: undefined, redisPasswordFile: undefined, redisStreamKeyFile: undefined });
    expect(() => loadConfig(['--etcd-certfile=/c'], {})).toThrow(/--etcd-certfile and --etcd-keyfile go together/);
    expect(() => loadConfig(['--etcd-cafile=/ca'], {})).toThrow(/need https:\/\/ --etcd-servers, got http:\/\/127.0.0.1:2379/);
    expect(() => loadConfig(['--redis-url=redis://r:6379', '--redis-ca-file=/ca'], {})).toThrow(/need a rediss:\/\/ --redis-url/);
    expect(() => loadConfig(['--redis-url=rediss://r:6379', '--redis-key-file=/k'], {})).toThrow(/--redis-cert-file and --redis-key-file go together/);
  });
});

describe('admission plugin flags', () => {
  it('runs kube\'s default plugins this server has, in kube\'s order', () => {
    expect(loadConfig([], {}).admissionPlugins).toEqual(['NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'TaintNodesByCondition',
      'PodSecurity', 'Priority', 'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize',
      'RuntimeClass', 'CertificateApproval', 'CertificateSigning', 'ClusterTrustBundleAttest', 'CertificateSubjectRestriction', 'DefaultIngressClass',
      'PodTopologyLabels', 'NodeDeclaredFeatureValidator', 'MutatingAdmissionPolicy', 'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy',
      'ValidatingAdmissionWebhook', 'ResourceQuota']);
  });

  it('keeps kube\'s order whatever order the flag names them in', () => {
    const cfg = loadConfig(['--enable-admission-plugins=AlwaysDeny,AlwaysAdmit', '--disable-admission-plugins=ResourceQuota,LimitRanger'], {});
    expect(cfg.admissionPlugins![0]).toBe('AlwaysAdmit');
    expect(cfg.admissionPlugins!.at(-1)).toBe('AlwaysDeny');
    expect(cfg.admissionPlugins).not.toContain('ResourceQuota');
    expect(cfg.admissionPlugins).not.toContain('LimitRanger');
  });

  it('refuses an unknown name with kube\'s message', () => {
    expect(() => loadConfig(['--enable-admission-plugins=Foo'], {})).toThrow(/^enable-admission-plugins plugin "Foo" is unknown$/);
    expect(() => loadConfig(['--disable-admission-plugins=Bar'], {})).toThrow(/^disable-admission-plugins plugin "Bar" is unknown$/);
    expect(() => loadConfig(['--enable-admission-plugins=ResourceQuota', '--disable-admission-plugins=ResourceQuota'], {}))
      .toThrow('[ResourceQuota] in enable-admission-plugins and disable-admission-plugins overlapped');
  });

  it('refuses to enable a plugin kube has and this server lacks, rather than leaving it out silently', () => {
    expect(() => loadConfig(['--enable-admission-plugins=NodeRestriction'], {})).toThrow('enable-admission-plugins plugin "NodeRestriction" is not implemented by this server');
  });
});
