# 1M distinct accounts (run with -v n=1000000): negative feedback about freelancer f-i from client
# c-i, and cancellations by client c-i, each on its own contract k-i; a second apart.
BEGIN {
  for (i = 0; i < n; i++) {
    s = i; day = 1 + int(s / 86400); s %= 86400
    t = sprintf("2026-01-%02dT%02d:%02d:%02dZ", day, int(s / 3600), int(s % 3600 / 60), s % 60)
    head = sprintf("{\"specversion\":\"1.0\",\"id\":\"e-%d\",\"source\":\"t\",\"time\":\"%s\",", i, t)
    if (i % 2 == 0) printf "%s\"type\":\"feedback.submitted\",\"data\":{\"contract\":\"k-%d\",\"client\":\"c-%d\",\"freelancer\":\"f-%d\",\"direction\":\"client_to_freelancer\",\"public_rating\":1,\"private_score\":0,\"reasons\":[\"skills\"]}}\n", head, i, i, i
    else printf "%s\"type\":\"contract.closed\",\"data\":{\"contract\":\"k-%d\",\"client\":\"c-%d\",\"freelancer\":\"f-%d\",\"outcome\":\"cancelled\",\"closed_by\":\"client\",\"earned\":0}}\n", head, i, i, i
  }
}
