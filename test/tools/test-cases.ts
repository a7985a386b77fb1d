// Test files for the fixture application: one whose cases all pass, one whose
// cases each fail in a different way.

export const PASSING = `script: customer
cases:
  - name: finds a customer
    input: { pesel: "44051401458" }
    calls:
      - service: crm
        method: GET
        path: customers
        query: { pesel: "44051401458" }
        response:
          status: 200
          headers: { Content-Type: application/json, X-Trace: t1 }
          body: { name: Ada, segment: VIP }
    expect:
      output: [{ name: Ada, segment: VIP }]

  - name: no rows on 404
    input: { pesel: "1" }
    calls:
      - { service: crm, path: customers, response: { status: 404, body: { error: none } } }
    expect:
      output: []

  - name: a read timeout is a RestTimeoutError
    input: { pesel: "1" }
    calls:
      - { service: crm, path: customers, error: READ_TIMEOUT }
    expect:
      error: { name: RestTimeoutError, code: READ_TIMEOUT, message: read timeout }

  - name: the URL placeholder is part of the service URL; repeated query names; the API key is left out
    script: postcode
    input: { code: "00-950" }
    calls:
      - service: geo
        path: ""
        query: { fields: [city, street] }
        queryExact: true
        response: { body: { city: Warszawa } }
    expect:
      output: [{ city: Warszawa }]

  - name: the whole URL path also matches (leading slash)
    script: postcode
    input: { code: "00-950" }
    calls:
      - { service: geo, path: /v1/postcodes/00-950, response: { body: { city: Warszawa } } }
    expect:
      output: [{ city: Warszawa }]

  - name: OAuth2 services work offline without the client secret
    script: me
    calls:
      - { service: idp, path: me, response: { body: { user: ada } } }
    expect:
      output: [{ user: ada }]

  - name: binary answers, decoded path segments
    script: file
    calls:
      - service: crm
        path: files/a b
        response: { headers: { content-type: application/pdf }, bodyBase64: JVBERi0= }
    expect:
      output: [{ encoding: base64, body: JVBERi0=, type: application/pdf }]

  - name: body and headers match; formChanges
    script: note
    input: { text: hello }
    calls:
      - service: crm
        method: post
        path: notes
        headers: { x-request-id: r-1 }
        body: { tags: [a, b], text: hello }
        response: { status: 201, body: { id: 5 } }
    expect:
      output: [{ id: 5 }]
      formChanges: { noteId: 5 }

  - name: times answers the same call more than once
    script: twice
    calls:
      - { service: crm, path: ping, times: 2, response: { body: pong } }
    expect:
      output: [{ a: pong, b: pong }]

  - name: retries run as in production (503 with Retry-After, then 200)
    script: flaky
    calls:
      - { service: flaky, path: status, response: { status: 503, headers: { retry-after: "0" } } }
      - { service: flaky, path: status, response: { body: { ok: true } } }
    expect:
      output: [{ ok: true }]

  - name: an unknown service id is the script's RestRequestError
    script: billing
    expect:
      error: { name: RestRequestError, code: UNKNOWN_SERVICE }

  - name: a TypeScript script, types stripped
    script: typed
    input: { id: "7" }
    calls:
      - { service: crm, path: customers/7, response: { body: { name: Ada, segment: STD } } }
    expect:
      output: [{ name: Ada }]

  - name: an error thrown in a .ts script keeps its position
    script: typed
    input: { id: "8" }
    calls:
      - { service: crm, path: customers/8, response: { body: { name: Bob, segment: BAD } } }
    expect:
      error: { name: Error, message: bad segment Bob }

  - name: validator messages from metadata
    validator: pesel
    input: { pesel: "123" }
    expect:
      valid: false
      errors:
        - key: pesel.length
          message: PESEL has 11 digits, not 3
          parameters: ["3"]

  - name: validator with a call
    validator: pesel
    input: { pesel: "44051401458" }
    calls:
      - { service: crm, path: blacklist, query: { pesel: "44051401458" }, response: { body: { listed: true } } }
    expect:
      valid: false
      errors: [pesel.blacklisted]

  - name: task completes
    task: open
    variables: { customer: 42 }
    processInstanceId: p-1
    calls:
      - { service: crm, method: POST, path: cases, body: { customer: 42 }, response: { status: 201, body: { id: c-1 } } }
    expect:
      outcome: complete
      variables: { caseId: c-1 }
      modelChanges: { note: opened }

  - name: task BPMN error
    task: open
    variables: { customer: 42 }
    calls:
      - { service: crm, method: POST, path: cases, response: { status: 409 } }
    expect:
      outcome: bpmnError
      errorCode: EXISTS
      cause: already open

  - name: task failure on a refused connection
    task: open
    variables: { customer: 42 }
    calls:
      - { service: crm, method: POST, path: cases, error: CONNECTION_REFUSED }
    expect:
      outcome: failure
      error: { name: RestConnectionError, code: CONNECTION_REFUSED }

  - name: formatter; a cursor out of range is dropped (null)
    formatter: upper
    input: { textToFormat: abc, locale: pl-PL, cursorPosition: 99 }
    expect:
      formattedText: ABC
      cursorPosition: null
`;

export const FAILING = `script: customer
cases:
  - name: wrong expectation
    input: { pesel: "44051401458" }
    calls:
      - { service: crm, path: customers, query: { pesel: "44051401458" }, response: { body: { name: Ada, segment: STD } } }
    expect:
      output: [{ name: Ada, segment: VIP }]

  - name: unexpected call
    input: { pesel: "2" }
    calls:
      - { service: crm, path: customers, query: { pesel: "1" }, response: { body: { name: Ada } } }
    expect:
      output: [{ name: Ada }]

  - name: unexpected call the script catches
    script: catches
    expect:
      output: [{ caught: RestRequestError, code: UNEXPECTED_CALL }]

  - name: missing call
    validator: pesel
    input: { pesel: "1" }
    calls:
      - { service: crm, path: blacklist, response: { body: { listed: false } } }
    expect:
      valid: false

  - name: broken script
    script: broken
    expect:
      output: []

  - name: unknown service id
    script: billing
    expect:
      output: [{}]

  - name: expected an error that did not happen
    input: { pesel: "3" }
    calls:
      - { service: crm, path: customers, response: { body: { name: Eve, segment: A } } }
    expect:
      error: RestTimeoutError

  - name: wrong task outcome
    task: open
    variables: { customer: 1 }
    calls:
      - { service: crm, method: POST, path: cases, body: { customer: 2 }, response: { status: 201, body: { id: x } } }
    expect:
      outcome: complete

  - name: no such script
    script: ghost
    expect:
      output: []
`;
