#!/usr/bin/env python3
"""Generates the labelled synthetic DLP corpus and the per-rule samples (deterministic, seed 5).

Every value is fake: random bodies in the real vendor formats (GitHub and npm tokens carry a valid
base62 CRC32 checksum so that checksum handling is exercised). Output goes to the dlp bundle's test
resources; re-run after changing a format and commit the result:

    python3 bench/dlp/gen_corpus.py
"""
import base64, binascii, json, os, random, string, urllib.parse, zlib

R = random.Random(5)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'bundles', 'bot.bottle.dlp', 'src', 'test', 'resources', 'corpus')
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
HEX = '0123456789abcdef'
B32 = string.ascii_uppercase + '234567'

def rs(alphabet, n): return ''.join(R.choice(alphabet) for _ in range(n))

def crc62(s):
    v = zlib.crc32(s.encode()) & 0xffffffff
    out = ''
    for _ in range(6):
        out = B62[v % 62] + out; v //= 62
    return out

def gh(prefix):
    body = rs(ALNUM, 30)
    return prefix + body + crc62(body)

def b64url(n): return rs(ALNUM + '-_', n)

def jwt():
    h = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip('=')
    p = base64.urlsafe_b64encode(json.dumps({"sub": rs(string.digits, 10), "name": "Fake User", "iat": 1700000000 + R.randrange(10**6)}).encode()).decode().rstrip('=')
    return h + '.' + p + '.' + b64url(43)

def pem():
    body = base64.b64encode(bytes(R.randrange(256) for _ in range(600))).decode()
    lines = '\n'.join(body[i:i+64] for i in range(0, len(body), 64))
    return '-----BEGIN RSA PRIVATE KEY-----\n' + lines + '\n-----END RSA PRIVATE KEY-----'

def aws_secret(): return rs(ALNUM + '/+', 40)

# rule id -> (generator, context key name, negatives)
FORMATS = {
    'aws-access-key-id': (lambda: R.choice(['AKIA', 'ASIA']) + rs(B32, 16), 'AWS_ACCESS_KEY_ID',
        ['AKIAIOSFODNN7EXAMPLE', 'AKIA' + 'abcdefghijklmnop', 'ASIAPACIFICHEADQUARTERS', 'AKIA1234']),
    'aws-secret-access-key': (aws_secret, 'aws_secret_access_key',
        ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'secret_access_key=0000000000000000000000000000000000000000', 'the secret is out']),
    'google-api-key': (lambda: 'AIza' + rs(ALNUM + '_-', 35), 'GOOGLE_API_KEY', ['AIza' + 'short', 'aiza' + rs(ALNUM, 35)]),
    'google-oauth-client-secret': (lambda: 'GOCSPX-' + rs(ALNUM + '_-', 28), 'client_secret', ['GOCSPX-tooshort']),
    'google-oauth-access-token': (lambda: 'ya29.' + rs(ALNUM + '_-', 120), 'access_token', ['ya29.short', 'ya29 is a number']),
    'azure-storage-account-key': (lambda: 'DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=' + rs(ALNUM + '+/', 86) + '==', 'AZURE_STORAGE_CONNECTION_STRING',
        ['AccountKey=tooShort==', 'AccountKey=${STORAGE_KEY}']),
    'azure-ad-client-secret': (lambda: rs(ALNUM, 3) + R.choice(string.digits) + 'Q~' + rs(ALNUM + '_~.-', 34), 'AZURE_CLIENT_SECRET', ['abc1Q~short', 'Q~ is not a secret']),
    'azure-sas-signature': (lambda: 'https://fake.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sp=r&sig=' + rs(ALNUM + '+/', 43) + '=', 'SAS_URL',
        ['https://example.com/?sig=abc', 'signature: none']),
    'digitalocean-token': (lambda: R.choice(['dop', 'doo', 'dor']) + '_v1_' + rs(HEX, 64), 'DIGITALOCEAN_TOKEN', ['dop_v1_' + rs(HEX, 10), 'dop_v2_' + rs(HEX, 64)]),
    'github-pat': (lambda: gh('ghp_'), 'GITHUB_TOKEN', ['ghp_short', 'ghp-' + rs(ALNUM, 36), 'GHP_' + rs(ALNUM, 12)]),
    'github-oauth': (lambda: gh('gho_'), 'GH_OAUTH', ['gho_' + rs(ALNUM, 20)]),
    'github-app-token': (lambda: gh(R.choice(['ghu_', 'ghs_'])), 'GH_APP_TOKEN', ['ghs_' + rs(ALNUM, 20), 'ghx_' + rs(ALNUM, 36)]),
    'github-refresh-token': (lambda: 'ghr_' + rs(ALNUM, 76), 'GH_REFRESH', ['ghr_' + rs(ALNUM, 20)]),
    'github-token-malformed': (lambda: 'ghp_' + rs(ALNUM, 34), 'GITHUB_TOKEN', ['ghp_' + rs(ALNUM, 20), 'ghp_' + rs(ALNUM, 36 + 10)]),
    'github-fine-grained-pat': (lambda: 'github_pat_' + rs(ALNUM, 22) + '_' + rs(ALNUM, 59), 'GITHUB_PAT', ['github_pat_' + rs(ALNUM, 22), 'see github_pat_ docs']),
    'gitlab-pat': (lambda: 'glpat-' + rs(ALNUM + '_-', 20), 'GITLAB_TOKEN', ['glpat-short', 'glpat-xxxxxxxxxx']),
    'gitlab-runner-token': (lambda: 'glrt-' + rs(ALNUM + '_-', 20), 'RUNNER_TOKEN', ['glrt-short']),
    'gitlab-deploy-token': (lambda: 'gldt-' + rs(ALNUM + '_-', 20), 'DEPLOY_TOKEN', ['gldt-short']),
    'gitlab-pipeline-trigger-token': (lambda: 'glptt-' + rs(HEX, 40), 'TRIGGER_TOKEN', ['glptt-' + rs(HEX, 20)]),
    'gitlab-other-token': (lambda: R.choice(['gloas', 'glcbt', 'glft', 'glimt']) + '-' + rs(ALNUM + '_-', 24), 'GITLAB_OTHER', ['glft-short']),
    'atlassian-api-token': (lambda: 'ATATT3' + rs(ALNUM + '_-', 180), 'JIRA_API_TOKEN', ['ATATT3short', 'atatt3' + rs(ALNUM, 180)]),
    'pulumi-access-token': (lambda: 'pul-' + rs(HEX, 40), 'PULUMI_ACCESS_TOKEN', ['pul-' + rs(HEX, 20), 'pul-' + rs(HEX, 40) + 'zz']),
    'npm-access-token': (lambda: gh('npm_'), 'NPM_TOKEN', ['npm_' + rs(ALNUM, 10), 'npm_install']),
    'pypi-upload-token': (lambda: 'pypi-AgEIcHlwaS5vcmc' + rs(ALNUM + '_-', 120), 'PYPI_TOKEN', ['pypi-AgEIcHlwaS5vcmc' + 'short', 'pypi-token']),
    'dockerhub-token': (lambda: 'dckr_pat_' + rs(ALNUM + '_-', 27), 'DOCKERHUB_TOKEN', ['dckr_pat_short', 'dckr_xyz_' + rs(ALNUM, 27)]),
    'slack-bot-token': (lambda: 'xoxb-' + rs(string.digits, 12) + '-' + rs(string.digits, 13) + '-' + rs(ALNUM, 24), 'SLACK_BOT_TOKEN', ['xoxb-123-456-abc', 'xoxb-']),
    'slack-user-token': (lambda: 'xoxp-' + rs(string.digits, 12) + '-' + rs(string.digits, 12) + '-' + rs(string.digits, 13) + '-' + rs(ALNUM, 32), 'SLACK_USER_TOKEN', ['xoxp-1-2-3-abc']),
    'slack-app-token': (lambda: 'xapp-1-A' + rs(string.ascii_uppercase + string.digits, 10) + '-' + rs(string.digits, 13) + '-' + rs(HEX, 64), 'SLACK_APP_TOKEN', ['xapp-1-ABC-123-def']),
    'slack-webhook-url': (lambda: 'https://hooks.slack.com/services/T' + rs(string.ascii_uppercase + string.digits, 8) + '/B' + rs(string.ascii_uppercase + string.digits, 8) + '/' + rs(ALNUM, 24), 'SLACK_WEBHOOK',
        ['https://hooks.slack.com/services/', 'https://hooks.slack.com/services/T000/B000/XXXX']),
    'twilio-api-key': (lambda: 'SK' + rs(HEX, 32), 'TWILIO_API_KEY', ['SK' + rs(HEX, 20), 'sk' + rs(HEX, 32)]),
    'sendgrid-api-key': (lambda: 'SG.' + rs(ALNUM + '_-', 22) + '.' + rs(ALNUM + '_-', 43), 'SENDGRID_API_KEY', ['SG.short.short', 'sg.' + rs(ALNUM, 22) + '.' + rs(ALNUM, 43)]),
    'mailgun-api-key': (lambda: 'key-' + rs(HEX, 32), 'MAILGUN_API_KEY', ['key-' + rs(HEX, 16), 'api-key-name']),
    'mailchimp-api-key': (lambda: rs(HEX, 32) + '-us' + str(R.randrange(1, 21)), 'MAILCHIMP_API_KEY', ['en-us', rs(HEX, 16) + '-us1']),
    'telegram-bot-token': (lambda: rs(string.digits, 10) + ':AA' + rs(ALNUM + '_-', 33), 'TELEGRAM_BOT_TOKEN', ['12345:AAshort', 'time 10:AA']),
    'stripe-secret-key': (lambda: R.choice(['sk_live_', 'rk_live_', 'sk_test_']) + rs(ALNUM, 24), 'STRIPE_SECRET_KEY', ['sk_live_short', 'pk_live_' + rs(ALNUM, 24)]),
    'stripe-webhook-secret': (lambda: 'whsec_' + rs(ALNUM, 32), 'STRIPE_WEBHOOK_SECRET', ['whsec_short']),
    'square-access-token': (lambda: R.choice(['EAAA' + rs(ALNUM + '_-', 60), 'sq0csp-' + rs(ALNUM + '_-', 43)]), 'SQUARE_ACCESS_TOKEN', ['EAAA' + 'short', 'sq0atp-short']),
    'shopify-token': (lambda: R.choice(['shpat_', 'shpss_', 'shpca_']) + rs(HEX, 32), 'SHOPIFY_TOKEN', ['shpat_' + rs(HEX, 10), 'shpxx_' + rs(HEX, 32)]),
    'openai-api-key': (lambda: R.choice(['sk-proj-' + rs(ALNUM + '_-', 74) + 'T3BlbkFJ' + rs(ALNUM + '_-', 74), 'sk-' + rs(ALNUM, 20) + 'T3BlbkFJ' + rs(ALNUM, 20), 'sk-svcacct-' + rs(ALNUM + '_-', 60)]),
        'OPENAI_API_KEY', ['sk-proj-short', 'sk-' + rs(ALNUM, 20), 'task-proj-manager']),
    'anthropic-api-key': (lambda: R.choice(['sk-ant-api03-', 'sk-ant-oat01-', 'sk-ant-admin01-']) + rs(ALNUM + '_-', 93) + 'AA', 'ANTHROPIC_API_KEY', ['sk-ant-api03-short', 'sk-ant-xyz']),
    'huggingface-token': (lambda: 'hf_' + rs(string.ascii_letters, 34), 'HF_TOKEN', ['hf_short', 'hf_' + rs(string.ascii_letters, 40)]),
    'groq-api-key': (lambda: 'gsk_' + rs(ALNUM, 52), 'GROQ_API_KEY', ['gsk_short']),
    'xai-api-key': (lambda: 'xai-' + rs(ALNUM, 80), 'XAI_API_KEY', ['xai-short', 'xai-grok-model']),
    'perplexity-api-key': (lambda: 'pplx-' + rs(ALNUM, 48), 'PPLX_API_KEY', ['pplx-short']),
    'replicate-api-token': (lambda: 'r8_' + rs(ALNUM, 37), 'REPLICATE_API_TOKEN', ['r8_short', 'r8_' + rs(ALNUM, 40)]),
    'vault-token': (lambda: 'hvs.' + rs(ALNUM + '_-', 90), 'VAULT_TOKEN', ['hvs.short', 'hvs']),
    'doppler-token': (lambda: 'dp.pt.' + rs(ALNUM, 43), 'DOPPLER_TOKEN', ['dp.pt.short']),
    'databricks-token': (lambda: 'dapi' + rs(HEX, 32), 'DATABRICKS_TOKEN', ['dapi' + rs(HEX, 10), 'dapi' + rs(HEX, 32) + 'zz']),
    'newrelic-user-key': (lambda: 'NRAK-' + rs(string.ascii_uppercase + string.digits, 27), 'NEW_RELIC_API_KEY', ['NRAK-SHORT']),
    'grafana-token': (lambda: 'glsa_' + rs(ALNUM, 32) + '_' + rs(HEX, 8), 'GRAFANA_TOKEN', ['glsa_short', 'glc_short']),
    'sentry-token': (lambda: 'sntryu_' + rs(HEX, 64), 'SENTRY_AUTH_TOKEN', ['sntryu_' + rs(HEX, 10)]),
    'postman-api-key': (lambda: 'PMAK-' + rs(HEX, 24) + '-' + rs(HEX, 34), 'POSTMAN_API_KEY', ['PMAK-short']),
    'heroku-api-key': (lambda: 'HRKU-AA' + rs(ALNUM + '_-', 58), 'HEROKU_API_KEY', ['HRKU-short']),
    'linear-api-key': (lambda: 'lin_api_' + rs(ALNUM, 40), 'LINEAR_API_KEY', ['lin_api_short']),
    'planetscale-token': (lambda: 'pscale_tkn_' + rs(ALNUM + '_', 43), 'PLANETSCALE_TOKEN', ['pscale_tkn_short']),
    'supabase-access-token': (lambda: 'sbp_' + rs(HEX, 40), 'SUPABASE_ACCESS_TOKEN', ['sbp_' + rs(HEX, 10)]),
    'age-secret-key': (lambda: 'AGE-SECRET-KEY-1' + rs('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58), 'AGE_KEY', ['AGE-SECRET-KEY-1SHORT']),
    'private-key': (pem, 'PRIVATE_KEY', ['-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----', 'BEGIN PRIVATE KEY is a header line']),
    'putty-private-key': (lambda: 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: fake\nPublic-Lines: 2\n' + rs(ALNUM, 64) + '\n' + rs(ALNUM, 20) + '\nPrivate-Lines: 1\n' + rs(ALNUM, 44), 'PPK',
        ['PuTTY-User-Key-File-3: mentioned in docs']),
    'jwt': (jwt, 'id_token', ['eyJhbGciOiJIUzI1NiJ9', 'eyJ.eyJ.abc']),
    'url-password': (lambda: 'postgres://app:' + rs(ALNUM, 16) + '@db.internal.example:5432/prod', 'DATABASE_URL',
        ['postgres://user:password@localhost/db', 'https://example.com/path', 'postgres://user:${DB_PASSWORD}@db/app']),
    'bearer-token': (lambda: 'Bearer ' + rs(ALNUM + '._-', 40), 'Authorization', ['Bearer mF_9.B5f-4.1JqM', 'Bearer <token>', 'bearer token auth']),
}

def contexts(rule, key, v):
    """The same value in realistic places: header, JSON, query string, .env, source code."""
    if rule == 'bearer-token':
        return {'header': 'Authorization: ' + v, 'json': json.dumps({'headers': {'Authorization': v}}),
                'curl': "curl -H 'Authorization: " + v + "' https://api.example.com/v1/me"}
    if rule == 'private-key':
        return {'json': json.dumps({'type': 'service_account', 'private_key': v}), 'file': v + '\n', 'env': 'PRIVATE_KEY="' + v.replace('\n', '\\n') + '"'}
    q = urllib.parse.quote(v, safe='')
    return {
        'header': 'X-Api-Key: ' + v if rule not in ('aws-secret-access-key',) else 'X-Amz-Secret-Key: ' + v,
        'json': json.dumps({'config': {key: v, 'region': 'us-east-1'}}),
        'query': '/v1/collect?' + key.lower() + '=' + q + '&page=2',
        'env': key + '=' + v + '\nLOG_LEVEL=debug\n',
        'source': 'const ' + key.lower().replace('-', '_') + ' = "' + v + '";\n',
    }

def evasions(v):
    b = v.encode()
    zw = '\u200b'.join(v[i:i+4] for i in range(0, len(v), 4))
    return {
        'base64': base64.b64encode(b).decode(),
        'base64url-in-json': json.dumps({'blob': base64.urlsafe_b64encode(b'data:' + b).decode()}),
        'hex': binascii.hexlify(b).decode(),
        'hex-delimited': '-'.join('%02x' % c for c in b),
        'url-encoded-all': ''.join('%%%02X' % c for c in b),
        'double-url-encoded': ''.join('%%25%02X' % c for c in b),
        'json-unicode-escape': json.dumps({'k': ''.join('\\u%04x' % ord(c) for c in v)}).replace('\\\\u', '\\u'),
        'zero-width': zw,
        'fullwidth': ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else c for c in v),
        'base64-of-base64': base64.b64encode(base64.b64encode(b)).decode(),
        'base64-after-binary': base64.b64encode(bytes(R.randrange(256) for _ in range(30)) + b' ' + b).decode(),
    }

def benign():
    items = []
    import uuid
    for _ in range(20): items.append(('uuid', json.dumps({'id': str(uuid.UUID(int=R.getrandbits(128))), 'status': 'ok'})))
    for _ in range(10): items.append(('sha256', 'commit ' + rs(HEX, 40) + ' sha256:' + rs(HEX, 64)))
    for _ in range(10):
        items.append(('lockfile-integrity', json.dumps({'node_modules/left-pad': {'version': '1.3.0', 'resolved': 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
            'integrity': 'sha512-' + base64.b64encode(bytes(R.randrange(256) for _ in range(64))).decode()}})))
    png = base64.b64encode(b'\x89PNG\r\n\x1a\n' + bytes(R.randrange(256) for _ in range(3000))).decode()
    for k in range(5): items.append(('base64-image', json.dumps({'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/png', 'data': png[k*10:]}})))
    convo = [
        'How do I rotate my AWS access key? The docs say keys start with AKIA followed by 16 characters.',
        'GitHub personal access tokens begin with ghp_ and fine-grained ones with github_pat_. Never commit them.',
        'Set OPENAI_API_KEY in your environment; the key looks like sk-proj-... and must stay secret.',
        'Use `export GITHUB_TOKEN=$(gh auth token)` instead of pasting the token.',
        'The JWT header is base64url JSON, for example {"alg":"HS256"} encodes to eyJhbGciOiJIUzI1NiJ9.',
        'Your Slack bot token (xoxb-...) should be stored in a secret manager like Vault (hvs. tokens).',
        'In .env files put API_KEY=your-key-here and never share the real value.',
        'Authorization: Bearer <token> is the usual header; replace <token> with the value from the console.',
        'A private key file begins with -----BEGIN PRIVATE KEY----- and you should never paste it into chat.',
        'Stripe keys: sk_test_ for test mode and sk_live_ for production; publishable keys start with pk_.',
        'postgres://user:password@localhost:5432/app is the usual local connection string.',
        'The secret_access_key field in ~/.aws/credentials holds your AWS secret.',
        'Please ignore the previous error; I fixed the import and the build passes now.',
    ]
    for c in convo:
        items.append(('llm-conversation', json.dumps({'model': 'claude-sonnet', 'messages': [{'role': 'user', 'content': c}, {'role': 'assistant', 'content': 'Understood. ' + c}]})))
    items.append(('source', 'def main():\n    token = os.environ["GITHUB_TOKEN"]\n    headers = {"Authorization": f"Bearer {token}"}\n'))
    items.append(('html', '<html><head><meta name="csrf-token" content="' + rs(ALNUM, 40) + '"></head><body>Hello</body></html>'))
    items.append(('css', '.btn{background:url(data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=)}'))
    items.append(('git-log', 'commit ' + rs(HEX, 40) + '\nAuthor: Dev <dev@example.com>\n\n    Fix token refresh (closes #42)\n'))
    items.append(('query', '/search?q=how+to+store+api+keys+safely&page=1&per_page=30'))
    items.append(('env', 'HOME=/home/agent\nPATH=/usr/bin:/bin\nLANG=C.UTF-8\nNODE_ENV=production\n'))
    items.append(('cookie', 'Cookie: session_id=abc123def456; theme=dark; _ga=GA1.2.1234567890.1234567890'))
    items.append(('ua', 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'))
    items.append(('accept-language', 'Accept-Language: en-US,en;q=0.9,de-DE;q=0.8'))
    items.append(('long-identifiers', 'AbstractSingletonProxyFactoryBeanConfigurationTests internationalizationConfiguration'))
    items.append(('minified-js', 'function(e){return e&&e.__esModule?e:{default:e}}var t=n(1234),r=n.n(t);'))
    return items

def main():
    os.makedirs(OUT, exist_ok=True)
    samples, positives, ev = [], [], []
    for rule, (gen, key, negs) in FORMATS.items():
        vals = [gen() for _ in range(3)]
        samples.append({'rule': rule, 'positive': [contexts(rule, key, v)['json' if rule != 'bearer-token' else 'header'] for v in vals[:2]], 'negative': negs})
        for i, v in enumerate(vals):
            for ctx, text in contexts(rule, key, v).items():
                positives.append({'format': rule, 'context': ctx, 'text': text})
        if rule not in ('github-token-malformed', 'private-key', 'putty-private-key', 'bearer-token', 'url-password', 'aws-secret-access-key', 'azure-sas-signature', 'azure-storage-account-key', 'mailchimp-api-key', 'telegram-bot-token', 'azure-ad-client-secret'):
            for kind, text in evasions(vals[0]).items():
                ev.append({'format': rule, 'evasion': kind, 'text': text})
    with open(os.path.join(OUT, 'rule-samples.json'), 'w') as f: json.dump(samples, f, indent=1)
    with open(os.path.join(OUT, 'positives.jsonl'), 'w') as f:
        for p in positives: f.write(json.dumps(p) + '\n')
    with open(os.path.join(OUT, 'evasions.jsonl'), 'w') as f:
        for p in ev: f.write(json.dumps(p) + '\n')
    with open(os.path.join(OUT, 'benign.jsonl'), 'w') as f:
        for kind, text in benign(): f.write(json.dumps({'kind': kind, 'text': text}) + '\n')
    print(len(samples), 'rules,', len(positives), 'positives,', len(ev), 'evasions,', len(benign()), 'benign')

main()
