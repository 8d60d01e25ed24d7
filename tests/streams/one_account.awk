# One account under n events (run with -v n=1000000): negative feedback about freelancer f-1,
# refund-for-review messages and unpaid cancellations by client c-1, work and disputes on contract
# k-1 (every dispute eligible: the arbitration rule keeps only those), appeals by f-1; a second
# apart.
BEGIN {
  for (i = 0; i < n; i++) {
    s = i; day = 1 + int(s / 86400); s %= 86400
    t = sprintf("2026-01-%02dT%02d:%02d:%02dZ", day, int(s / 3600), int(s % 3600 / 60), s % 60)
    head = sprintf("{\"specversion\":\"1.0\",\"id\":\"e-%d\",\"source\":\"t\",\"time\":\"%s\",", i, t)
    k = i % 5
    if (k == 0) printf "%s\"type\":\"feedback.submitted\",\"data\":{\"contract\":\"k-%d\",\"client\":\"c-%d\",\"freelancer\":\"f-1\",\"direction\":\"client_to_freelancer\",\"public_rating\":1,\"private_score\":0,\"reasons\":[\"skills\"]}}\n", head, i, i
    else if (k == 1) printf "%s\"type\":\"message.sent\",\"data\":{\"contract\":\"k-%d\",\"sender\":\"c-1\",\"recipient\":\"f-1\",\"sender_role\":\"client\",\"labels\":[\"refund_for_review\"]}}\n", head, i
    else if (k == 2) printf "%s\"type\":\"contract.closed\",\"data\":{\"contract\":\"k-%d\",\"client\":\"c-1\",\"freelancer\":\"f-1\",\"outcome\":\"cancelled\",\"closed_by\":\"client\",\"earned\":0}}\n", head, i
    else if (i % 10 == 3) printf "%s\"type\":\"work.submitted\",\"data\":{\"contract\":\"k-1\",\"amount\":50}}\n", head
    else if (k == 3) printf "%s\"type\":\"dispute.opened\",\"data\":{\"contract\":\"k-1\",\"opened_by\":\"c-1\",\"kind\":\"fixed\",\"amount\":500}}\n", head
    else printf "%s\"type\":\"appeal.filed\",\"data\":{\"subject\":\"f-1\",\"hold\":\"proposals_blocked\"}}\n", head
  }
}
