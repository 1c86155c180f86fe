# Nimbus's Python runtime interface client: imports the handler, then loops on the Lambda Runtime API
# (next -> handler -> response/error). A marker line after each invocation tells Nimbus the
# invocation's output is complete. Standard library only.
import http.client, importlib, json, logging, os, sys, time, traceback

HOST, PORT = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')
BASE = '/2018-06-01/runtime'
MARK = '\u0000NIMBUS-DONE '
conn = http.client.HTTPConnection(HOST, int(PORT))
sys.stderr = sys.stdout
request_id = ''


def call(method, path, body=None, headers=None):
    global conn
    for attempt in (0, 1):
        try:
            conn.request(method, BASE + path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.getheaders(), res.read()
        except (http.client.HTTPException, ConnectionError):
            if attempt:
                raise
            conn = http.client.HTTPConnection(HOST, int(PORT))


class LambdaLogHandler(logging.Handler):
    def emit(self, record):
        ts = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(record.created)) + '.%03dZ' % record.msecs
        sys.stdout.write('[%s]\t%s\t%s\t%s\n' % (record.levelname, ts, request_id, self.format(record)))


root = logging.getLogger()
root.handlers = [LambdaLogHandler()]
root.setLevel(logging.INFO)


def error_json(e, error_type=None):
    tb = traceback.extract_tb(e.__traceback__)
    return {'errorMessage': str(e), 'errorType': error_type or type(e).__name__, 'requestId': request_id,
            'stackTrace': traceback.format_list(tb)}


def init_error(body):
    sys.stdout.write('[ERROR] %s: %s\nTraceback (most recent call last):\n' % (body['errorType'], body['errorMessage']))
    call('POST', '/init/error', json.dumps(body), {'Lambda-Runtime-Function-Error-Type': body['errorType']})
    sys.exit(1)


def load_handler():
    spec = os.environ.get('_HANDLER', '')
    module_path, _, fn_name = spec.rpartition('.')
    if not module_path:
        init_error({'errorMessage': "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec, 'errorType': 'Runtime.MalformedHandlerName', 'requestId': '', 'stackTrace': []})
    sys.path.insert(0, os.environ['LAMBDA_TASK_ROOT'])
    if os.path.isdir('/opt/python'):
        sys.path.append('/opt/python')
    try:
        module = importlib.import_module(module_path.replace('/', '.'))
    except ImportError as e:
        init_error({'errorMessage': "Unable to import module '%s': %s" % (module_path, e), 'errorType': 'Runtime.ImportModuleError', 'requestId': '', 'stackTrace': []})
    except SyntaxError as e:
        init_error({'errorMessage': "Syntax error in module '%s': %s" % (module_path, e), 'errorType': 'Runtime.UserCodeSyntaxError', 'requestId': '', 'stackTrace': []})
    except Exception as e:
        init_error(error_json(e))
    fn = getattr(module, fn_name, None)
    if fn is None:
        init_error({'errorMessage': "Handler '%s' missing on module '%s'" % (fn_name, module_path), 'errorType': 'Runtime.HandlerNotFound', 'requestId': '', 'stackTrace': []})
    return fn


class Context:
    def __init__(self, headers):
        env = os.environ
        self.function_name = env['AWS_LAMBDA_FUNCTION_NAME']
        self.function_version = env['AWS_LAMBDA_FUNCTION_VERSION']
        self.invoked_function_arn = headers.get('lambda-runtime-invoked-function-arn')
        self.memory_limit_in_mb = int(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'])
        self.aws_request_id = headers.get('lambda-runtime-aws-request-id')
        self.log_group_name = env['AWS_LAMBDA_LOG_GROUP_NAME']
        self.log_stream_name = env['AWS_LAMBDA_LOG_STREAM_NAME']
        self.identity = None
        cc = headers.get('lambda-runtime-client-context')
        self.client_context = json.loads(cc) if cc else None
        self._deadline = int(headers.get('lambda-runtime-deadline-ms', '0'))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


handler = load_handler()
while True:
    raw_headers, body = call('GET', '/invocation/next')
    headers = {k.lower(): v for k, v in raw_headers}
    request_id = headers.get('lambda-runtime-aws-request-id', '')
    os.environ['_X_AMZN_TRACE_ID'] = headers.get('lambda-runtime-trace-id', '')
    context = Context(headers)
    try:
        event = json.loads(body or b'null')
        result = handler(event, context)
        out, path, extra = json.dumps(result), '/invocation/%s/response' % request_id, {}
    except Exception as e:
        err = error_json(e)
        sys.stdout.write('[ERROR] %s: %s\nTraceback (most recent call last):\n%s' % (err['errorType'], err['errorMessage'], ''.join(err['stackTrace'])))
        out, path, extra = json.dumps(err), '/invocation/%s/error' % request_id, {'Lambda-Runtime-Function-Error-Type': err['errorType']}
    sys.stdout.write(MARK + request_id + '\n')
    sys.stdout.flush()
    call('POST', path, out, extra)
    request_id = ''
