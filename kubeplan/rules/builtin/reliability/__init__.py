"""Reliability and resources: requests and limits, probes, replicas and disruption budgets,
rollout parameters, selectors, autoscalers and Jobs."""
