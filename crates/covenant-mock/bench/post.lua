-- wrk script: a valid Rebilly POST /kyc-requests (the spec's request example).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["REB-APIKEY"] = os.getenv("COVENANT_MOCK_API_KEY") or "test-api-key"
wrk.body = [[{"customerId":"cus_01HXKQ3V7ZP8Y2M4N6R8T0W2B4","documents":[{"type":"identity-proof","subtypes":["passport","id-card"],"maxAttempts":3,"faceProofRequired":true,"faceLivenessRequired":false},{"type":"address-proof","subtypes":null}],"redirectUrl":"https://example.com?info=success","reason":"spend limit","matchLevel":2,"expirationTime":"2024-05-01T13:00:00Z"}]]

-- No `response` callback: wrk then parses each answer's headers and body into Lua,
-- which its documentation calls expensive; on a 2-core machine that CPU comes out
-- of the servers' share. Non-2xx answers are still counted: wrk counts every status
-- above 399 in `summary.errors.status`, reported below.

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx_or_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
