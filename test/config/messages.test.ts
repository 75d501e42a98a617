// Every kind of problem the config schema reports, message for message, as the operator reads
// it: the wording comes partly from our own messages and partly from zod's English locale (which
// src/config/load.ts reshapes), so a change of zod flavour or locale shows up here. Also the
// parsed output, defaults included, of an empty file and of a file that sets every key.
import { configProblem } from '../helpers/config.js';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { mergeRules } from '../../src/config/resolve.js';

const file = '/etc/opsdeck.yaml';
const problem = (text: string): string => configProblem(text);
const duration = (got: string) => `expected a duration like "500ms", "30s", "5m", "2h" or "1d", got "${got}"`;

describe('config problems, word for word', () => {
  it.each([
    // unrecognized_keys
    [
      'an unknown key',
      'targets:\n  docker:\n    sokcet: /x\n',
      ':3: targets.docker: unknown key "sokcet" (check the spelling against opsdeck.example.yaml)',
    ],
    [
      'unknown keys',
      'readOnly: false\ntargest: {}\ndiscovr: true\n',
      ':1: (top level): unknown keys "targest", "discovr" (check the spelling against opsdeck.example.yaml)',
    ],
    // invalid_type
    [
      'a number for a string',
      'targets:\n  redis:\n    url: 6379\n',
      ':3: targets.redis.url: expected string, got number',
    ],
    [
      'a string for a number',
      'targets:\n  postgres:\n    port: "five"\n',
      ':3: targets.postgres.port: expected number, got string',
    ],
    [
      'a fraction for a whole number',
      'targets:\n  postgres:\n    port: 1.5\n',
      ':3: targets.postgres.port: expected int, got number',
    ],
    ['a string for a boolean', 'readOnly: "yes"\n', ':1: readOnly: expected boolean, got string'],
    ['a number for a section', 'targets: 5\n', ':1: targets: expected object, got number'],
    ['a number for a rule', 'thresholds:\n  host.cpu: 5\n', ':2: thresholds.host.cpu: expected object, got number'],
    [
      'a list for a map',
      'targets:\n  host:\n    linkSpeedMbps: [1]\n',
      ':3: targets.host.linkSpeedMbps: expected record, got array',
    ],
    [
      'a string for a list',
      'targets:\n  host:\n    ignoreFsTypes: tmpfs\n',
      ':3: targets.host.ignoreFsTypes: expected array, got string',
    ],
    ['a number in a list of strings', 'startOrder: [1, "a"]\n', ':1: startOrder.0: expected string, got number'],
    ['a missing key', 'services:\n  - systemd: x\n', ':2: services.0.name: expected string, got undefined'],
    // invalid_value
    [
      'a rule direction',
      'thresholds:\n  host.cpu:\n    direction: sideways\n',
      ':3: thresholds.host.cpu.direction: expected one of "above", "below"',
    ],
    [
      'a service group',
      'services:\n  - name: db\n    group: web\n    systemd: x\n',
      ':3: services.0.group: expected one of "database", "queue", "search", "application", "other"',
    ],
    [
      'a retention preset',
      'backups:\n  retention:\n    preset: weekly\n',
      ':3: backups.retention.preset: expected one of "itsm", "gfs", "none"',
    ],
    [
      'a relative existing backup directory',
      'backups:\n  existing:\n    - dir: backups\n      database: itsm\n',
      ':3: backups.existing.0.dir: expected an absolute path',
    ],
    [
      'an existing backup directory without its database',
      'backups:\n  existing:\n    - dir: /var/backups/itsm\n',
      ':3: backups.existing.0.database: expected string, got undefined',
    ],
    [
      'an existing backup directory inside backups.dir',
      'backups:\n  dir: /b\n  existing:\n    - { dir: /b/postgres/itsm, database: itsm }\n',
      ':4: backups.existing.0.dir: is inside backups.dir (/b), which opsdeck prunes: name a directory outside it',
    ],
    [
      'an existing backup directory with an unknown key',
      'backups:\n  existing:\n    - { dir: /b, database: d, retention: 30 }\n',
      ':3: backups.existing.0: unknown key "retention" (check the spelling against opsdeck.example.yaml)',
    ],
    [
      'a relative restore path of an existing file set',
      'backups:\n  existing:\n    - dir: /k\n      database: k\n      restore: { data: var/lib/data }\n',
      ':5: backups.existing.0.restore.data.path: expected an absolute path',
    ],
    [
      'a restore owner without a group',
      'backups:\n  existing:\n    - dir: /k\n      database: k\n      restore:\n' +
        '        data: { path: /d, owner: root }\n',
      ':6: backups.existing.0.restore.data.owner: expected user:group (names or numbers)',
    ],
    [
      'a restore mode not written as a quoted octal string',
      'backups:\n  existing:\n    - dir: /k\n      database: k\n      restore:\n' +
        "        data: { path: /d, mode: 'rw' }\n",
      ":6: backups.existing.0.restore.data.mode: expected an octal mode as a quoted string, e.g. '0600'",
    ],
    [
      'an existing backup directory label with a space',
      'backups:\n  existing:\n    - { dir: /b, database: d, name: "a b" }\n',
      ':3: backups.existing.0.name: Invalid string: must match pattern /^[A-Za-z0-9_.-]+$/',
    ],
    // too_small / too_big
    ['a port of 0', 'targets:\n  postgres:\n    port: 0\n', ':3: targets.postgres.port: expected number to be >=1'],
    [
      'a port above 65535',
      'targets:\n  postgres:\n    port: 70000\n',
      ':3: targets.postgres.port: expected number to be <=65535',
    ],
    ['a short history', 'historyLength: 5\n', ':1: historyLength: expected number to be >=10'],
    ['a long history', 'historyLength: 20000\n', ':1: historyLength: expected number to be <=10000'],
    ['a small log buffer', 'logs:\n  bufferLines: 10\n', ':2: logs.bufferLines: expected number to be >=100'],
    [
      'a link speed of 0',
      'targets:\n  host:\n    linkSpeedMbps: { eth0: 0 }\n',
      ':3: targets.host.linkSpeedMbps.eth0: expected number to be >0',
    ],
    [
      'a retention of 0 days',
      'backups:\n  retention:\n    fullDays: 0\n',
      ':3: backups.retention.fullDays: expected number to be >0',
    ],
    [
      'a negative duration',
      'thresholds:\n  host.cpu:\n    sustain: -5\n',
      ':3: thresholds.host.cpu.sustain: expected number to be >=0',
    ],
    [
      'an empty log source name',
      'logs:\n  sources:\n    - name: ""\n      file: /x\n',
      ':3: logs.sources.0.name: expected string to have >=1 characters',
    ],
    // invalid_format (regex), with our message and with zod's
    [
      'a password where an env var name belongs',
      'targets:\n  redis:\n    passwordEnv: "s3cr3t!"\n',
      ':3: targets.redis.passwordEnv: expected the NAME of an environment variable (letters, digits, _), not its value',
    ],
    [
      'a service name',
      'services:\n  - name: "bad name"\n    systemd: x\n',
      ':2: services.0.name: expected a service name of letters, digits, ".", "_", "@" or "-"',
    ],
    // custom (refine)
    [
      'a service with two kinds',
      'services:\n  - name: db\n    systemd: pg.service\n    container: pg\n',
      ':2: services.0: a service needs exactly one of: systemd, container, compose, or start/stop commands',
    ],
    [
      'a service with no kind',
      'services:\n  - name: db\n',
      ':2: services.0: a service needs exactly one of: systemd, container, compose, or start/stop commands',
    ],
    [
      'an empty command',
      'services:\n  - name: db\n    start: []\n',
      ':3: services.0.start: expected a command as an argument vector, e.g. ["systemctl", "start", "nginx"]',
    ],
    [
      'an empty program',
      'services:\n  - name: db\n    start: [""]\n',
      ':3: services.0.start: expected a command as an argument vector, e.g. ["systemctl", "start", "nginx"]',
    ],
    [
      'a log source with no kind',
      'logs:\n  sources:\n    - name: a\n',
      ':3: logs.sources.0: a log source needs exactly one of: file, command, container, journal',
    ],
    // custom (duration parse) and invalid_union
    ['a duration in words', 'probeTimeout: soon\n', `:1: probeTimeout: ${duration('soon')}`],
    ['an empty duration', 'probeTimeout: ""\n', `:1: probeTimeout: ${duration('')}`],
    [
      'a duration in a rule',
      'thresholds:\n  host.cpu:\n    sustain: 5 minutes\n',
      `:3: thresholds.host.cpu.sustain: ${duration('5 minutes')}`,
    ],
    [
      'a duration of a service',
      'services:\n  - name: db\n    systemd: x\n    timeout: later\n',
      `:4: services.0.timeout: ${duration('later')}`,
    ],
    [
      'a boolean for a duration',
      'thresholds:\n  host.cpu:\n    sustain: true\n',
      ':3: thresholds.host.cpu.sustain: Invalid input',
    ],
    ['an infinite duration', 'probeTimeout: .inf\n', ':1: probeTimeout: Invalid input'],
  ])('%s', (_name, text, expected) => {
    expect(problem(text)).toBe(`${file}${expected}`);
  });

  it('several problems: one line each, in order', () => {
    expect(problem('backups:\n  files:\n    - name: "a b"\n      paths: []\n')).toBe(
      [
        `${file}:3: backups.files.0.name: Invalid string: must match pattern /^[A-Za-z0-9_.-]+$/`,
        `${file}:4: backups.files.0.paths: expected array to have >=1 items`,
      ].join('\n'),
    );
    expect(problem('backups:\n  format: zip\n  verifyQueries:\n    - database: x\n')).toBe(
      [
        `${file}:2: backups.format: expected one of "plain", "custom"`,
        `${file}:4: backups.verifyQueries.0.sql: expected string, got undefined`,
      ].join('\n'),
    );
  });

  it('at most five problems, then how many more', () => {
    expect(problem('readOnly: 1\ndiscover: 2\nprobeTimeout: x\nhistoryLength: "y"\nstartOrder: z\naudit: 3\n')).toBe(
      [
        `${file}:1: readOnly: expected boolean, got number`,
        `${file}:2: discover: expected boolean, got number`,
        `${file}:3: probeTimeout: ${duration('x')}`,
        `${file}:4: historyLength: expected number, got string`,
        `${file}:5: startOrder: expected array, got string`,
        '(and 1 more problems)',
      ].join('\n'),
    );
  });
});

describe('parsed config, defaults filled in', () => {
  it('an empty file', () => {
    expect(parseConfigText('', file)).toMatchInlineSnapshot(`
      {
        "audit": {},
        "backups": {
          "databases": [],
          "dir": "/var/backups/opsdeck",
          "existing": [],
          "files": [],
          "format": "plain",
          "retention": {
            "preset": "itsm",
          },
          "verifyQueries": [],
        },
        "checks": [],
        "defaultChecks": [],
        "discover": true,
        "historyLength": 300,
        "logs": {
          "bufferLines": 10000,
          "sources": [],
        },
        "probeTimeout": 3000,
        "readOnly": false,
        "services": [],
        "targets": {
          "certificates": [],
          "host": {
            "interval": 2000,
            "linkSpeedMbps": {},
            "processesInterval": 15000,
          },
          "http": [],
        },
        "thresholds": {},
      }
    `);
  });

  it('a file that sets every key', () => {
    const text = `
readOnly: true
discover: false
probeTimeout: 1500
historyLength: 10
targets:
  host: { interval: 1s, processesInterval: 1m, linkSpeedMbps: { eth0: 1000 }, ignoreFsTypes: [tmpfs] }
  docker: { enabled: false, socket: /run/d.sock, host: tcp://x:2375, interval: 3s, statsInterval: 4s, stopTimeout: 5s }
  postgres: { enabled: true, url: postgres://a@b/c, host: db, port: 5433, user: u, database: d, passwordEnv: PGPW,
    sslmode: require, interval: 500ms, statementTimeout: 2.5s }
  redis: { url: redis://r, passwordEnv: RPW, interval: 1h }
thresholds:
  host.cpu: { warn: 1, crit: 2, direction: below, interval: 1d, sustain: 0, enabled: false }
  host.disk: { sustain: 10m }
services:
  - { name: db, group: database, systemd: postgresql.service }
  - { name: web, container: web }
  - { name: q, compose: { project: p, file: c.yaml } }
  - { name: app, start: [a, b], stop: [c], status: [d, ""], timeout: 90s }
startOrder: [db, web]
logs:
  sources:
    - { name: sys, file: /var/log/syslog }
    - { name: j, command: [journalctl, -f] }
    - { name: w, container: web }
  bufferLines: 100
audit: { path: /var/log/opsdeck-audit.jsonl }
backups:
  dir: /b
  format: custom
  databases: [itsm]
  files: [{ name: etc, paths: [/etc], services: [web] }]
  retention: { preset: gfs, fullDays: 1, diffDays: 2, dailyDays: 3, weeklyWeeks: 4, monthlyMonths: 5 }
  verifyQueries: [{ sql: select 1 }, { database: itsm, sql: select 2, expect: "2" }]
  existing:
    - { dir: /var/backups/itsm, database: itsm, name: itsm-cron }
    - dir: /k
      database: k
      restore:
        data: /var/lib/k/data
        env.production: { path: /opt/k/.env.production, owner: 'k:k', mode: '0600', services: [web] }
`;
    expect(parseConfigText(text, file)).toMatchInlineSnapshot(`
      {
        "audit": {
          "path": "/var/log/opsdeck-audit.jsonl",
        },
        "backups": {
          "databases": [
            "itsm",
          ],
          "dir": "/b",
          "existing": [
            {
              "database": "itsm",
              "dir": "/var/backups/itsm",
              "name": "itsm-cron",
              "restore": {},
            },
            {
              "database": "k",
              "dir": "/k",
              "restore": {
                "data": {
                  "path": "/var/lib/k/data",
                  "services": [],
                },
                "env.production": {
                  "mode": "0600",
                  "owner": "k:k",
                  "path": "/opt/k/.env.production",
                  "services": [
                    "web",
                  ],
                },
              },
            },
          ],
          "files": [
            {
              "name": "etc",
              "paths": [
                "/etc",
              ],
              "services": [
                "web",
              ],
            },
          ],
          "format": "custom",
          "retention": {
            "dailyDays": 3,
            "diffDays": 2,
            "fullDays": 1,
            "monthlyMonths": 5,
            "preset": "gfs",
            "weeklyWeeks": 4,
          },
          "verifyQueries": [
            {
              "sql": "select 1",
            },
            {
              "database": "itsm",
              "expect": "2",
              "sql": "select 2",
            },
          ],
        },
        "checks": [],
        "defaultChecks": [],
        "discover": false,
        "historyLength": 10,
        "logs": {
          "bufferLines": 100,
          "sources": [
            {
              "file": "/var/log/syslog",
              "name": "sys",
            },
            {
              "command": [
                "journalctl",
                "-f",
              ],
              "name": "j",
            },
            {
              "container": "web",
              "name": "w",
            },
          ],
        },
        "probeTimeout": 1500,
        "readOnly": true,
        "services": [
          {
            "group": "database",
            "name": "db",
            "systemd": "postgresql.service",
            "timeout": 60000,
          },
          {
            "container": "web",
            "group": "other",
            "name": "web",
            "timeout": 60000,
          },
          {
            "compose": {
              "file": "c.yaml",
              "project": "p",
              "services": [],
            },
            "group": "other",
            "name": "q",
            "timeout": 60000,
          },
          {
            "group": "other",
            "name": "app",
            "start": [
              "a",
              "b",
            ],
            "status": [
              "d",
              "",
            ],
            "stop": [
              "c",
            ],
            "timeout": 90000,
          },
        ],
        "startOrder": [
          "db",
          "web",
        ],
        "targets": {
          "certificates": [],
          "docker": {
            "enabled": false,
            "host": "tcp://x:2375",
            "interval": 3000,
            "socket": "/run/d.sock",
            "statsInterval": 4000,
            "stopTimeout": 5000,
          },
          "host": {
            "ignoreFsTypes": [
              "tmpfs",
            ],
            "interval": 1000,
            "linkSpeedMbps": {
              "eth0": 1000,
            },
            "processesInterval": 60000,
          },
          "http": [],
          "postgres": {
            "database": "d",
            "enabled": true,
            "host": "db",
            "interval": 500,
            "passwordEnv": "PGPW",
            "port": 5433,
            "sslmode": "require",
            "statementTimeout": 2500,
            "url": "postgres://a@b/c",
            "user": "u",
          },
          "redis": {
            "enabled": true,
            "interval": 3600000,
            "passwordEnv": "RPW",
            "url": "redis://r",
          },
        },
        "thresholds": {
          "host.cpu": {
            "crit": 2,
            "direction": "below",
            "enabled": false,
            "interval": 86400000,
            "sustain": 0,
            "warn": 1,
          },
          "host.disk": {
            "sustain": 600000,
          },
        },
      }
    `);
  });

  it('the default rules, with their defaults filled in', () => {
    expect(mergeRules({}, file)).toMatchInlineSnapshot(`
      {
        "backup.ageHours": {
          "crit": 50,
          "direction": "above",
          "enabled": true,
          "interval": 60000,
          "metric": "backup.ageHours",
          "sustain": 0,
          "warn": 26,
        },
        "backup.corruptCount": {
          "crit": 1,
          "direction": "above",
          "enabled": true,
          "interval": 60000,
          "metric": "backup.corruptCount",
          "sustain": 0,
          "warn": 1,
        },
        "backup.drillAgeDays": {
          "crit": 65,
          "direction": "above",
          "enabled": true,
          "interval": 60000,
          "metric": "backup.drillAgeDays",
          "sustain": 0,
          "warn": 35,
        },
        "backup.offsiteAgeHours": {
          "crit": 54,
          "direction": "above",
          "enabled": true,
          "interval": 60000,
          "metric": "backup.offsiteAgeHours",
          "sustain": 0,
          "warn": 30,
        },
        "docker.reachable": {
          "crit": 0,
          "direction": "below",
          "enabled": true,
          "interval": 2000,
          "metric": "docker.reachable",
          "sustain": 0,
          "warn": 0,
        },
        "docker.restarts": {
          "crit": 10,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "docker.restarts",
          "sustain": 0,
          "warn": 3,
        },
        "docker.unhealthy": {
          "crit": 1,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "docker.unhealthy",
          "sustain": 0,
          "warn": 1,
        },
        "host.cpu": {
          "crit": 85,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "host.cpu",
          "sustain": 300000,
          "warn": 70,
        },
        "host.disk": {
          "crit": 85,
          "direction": "above",
          "enabled": true,
          "interval": 30000,
          "metric": "host.disk",
          "sustain": 0,
          "warn": 70,
        },
        "host.memory": {
          "crit": 90,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "host.memory",
          "sustain": 120000,
          "warn": 80,
        },
        "host.network": {
          "crit": 85,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "host.network",
          "sustain": 120000,
          "warn": 70,
        },
        "host.swap": {
          "crit": 80,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "host.swap",
          "sustain": 120000,
          "warn": 50,
        },
        "http.latencyMs": {
          "crit": 1000,
          "direction": "above",
          "enabled": true,
          "interval": 10000,
          "metric": "http.latencyMs",
          "sustain": 60000,
          "warn": 200,
        },
        "http.up": {
          "crit": 0,
          "direction": "below",
          "enabled": true,
          "interval": 10000,
          "metric": "http.up",
          "sustain": 120000,
          "warn": 0,
        },
        "postgres.cacheHitRatio": {
          "crit": 90,
          "direction": "below",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.cacheHitRatio",
          "sustain": 300000,
          "warn": 95,
        },
        "postgres.connections": {
          "crit": 90,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.connections",
          "sustain": 300000,
          "warn": 80,
        },
        "postgres.longestQuerySeconds": {
          "crit": 300,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.longestQuerySeconds",
          "sustain": 0,
          "warn": 60,
        },
        "postgres.reachable": {
          "crit": 0,
          "direction": "below",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.reachable",
          "sustain": 0,
          "warn": 0,
        },
        "postgres.replicationLagSeconds": {
          "crit": 300,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.replicationLagSeconds",
          "sustain": 60000,
          "warn": 30,
        },
        "postgres.waitingLocks": {
          "crit": 5,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.waitingLocks",
          "sustain": 60000,
          "warn": 1,
        },
        "postgres.walArchiveAgeSeconds": {
          "crit": 1800,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.walArchiveAgeSeconds",
          "sustain": 0,
          "warn": 900,
        },
        "postgres.walArchiveFailing": {
          "crit": 1,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "postgres.walArchiveFailing",
          "sustain": 0,
          "warn": 1,
        },
        "redis.clients": {
          "crit": 90,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "redis.clients",
          "sustain": 60000,
          "warn": 80,
        },
        "redis.evictionsPerSecond": {
          "crit": 100,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "redis.evictionsPerSecond",
          "sustain": 60000,
          "warn": 1,
        },
        "redis.hitRatio": {
          "crit": 50,
          "direction": "below",
          "enabled": false,
          "interval": 2000,
          "metric": "redis.hitRatio",
          "sustain": 300000,
          "warn": 80,
        },
        "redis.memory": {
          "crit": 90,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "redis.memory",
          "sustain": 60000,
          "warn": 80,
        },
        "redis.rdbLastSaveFailed": {
          "crit": 1,
          "direction": "above",
          "enabled": true,
          "interval": 2000,
          "metric": "redis.rdbLastSaveFailed",
          "sustain": 0,
          "warn": 1,
        },
        "redis.reachable": {
          "crit": 0,
          "direction": "below",
          "enabled": true,
          "interval": 2000,
          "metric": "redis.reachable",
          "sustain": 0,
          "warn": 0,
        },
        "tls.daysLeft": {
          "crit": 7,
          "direction": "below",
          "enabled": true,
          "interval": 600000,
          "metric": "tls.daysLeft",
          "sustain": 0,
          "warn": 30,
        },
      }
    `);
  });
});
