-- wrk script: sign-in with the administrator's password (BENCH_PASSWORD).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"employee_id":"admin","password":"' .. os.getenv("BENCH_PASSWORD") .. '"}'
