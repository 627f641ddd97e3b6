-- wrk `done` hook: prints the two numbers the benchmark reports.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests/s: %.0f\n", summary.requests / seconds))
  io.write(string.format("p99 latency: %.3f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("errors: %d connect, %d read, %d write, %d status, %d timeout\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
