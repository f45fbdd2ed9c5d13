"""What the Node authorizer decides for a kubelet's identity, as far as it can be known offline.

Source: plugin/pkg/auth/authorizer/node/node_authorizer.go (NodeAuthorizer.Authorize, cited at
00d03ec0) and pkg/auth/nodeidentifier/default.go (NodeIdentity):

- a request is a node's when the user is `system:node:NAME` and in group `system:nodes`; for any
  other user the Node authorizer has no opinion and RBAC alone decides;
- for a node, requests on secrets, configmaps, persistentvolumeclaims, persistentvolumes,
  serviceaccounts (token), volumeattachments, csinodes, leases, resourceclaims and
  resourceslices are allowed only for the objects related to that node in the authorizer's
  graph (the pods bound to it and what they reference, its own Lease and CSINode): kubeplan,
  which sees manifests and no scheduled pods, cannot decide those. nodes and pods are decided
  the same way while the AuthorizeNodeWithSelectors feature is on, by the static rules below
  otherwise, so they are not decided either;
- every other request is allowed when the static node rules allow it: NodeRules() of the
  bootstrap policy, the rules of the default ClusterRole system:node of the same release
  (data/defaults.json).
"""

from __future__ import annotations

from kubeplan.planner.rbac.matching import rules_allow
from kubeplan.planner.rbac.model import Identity, Request, Rule
from kubeplan.planner.rbac.policy import default_policy

NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"
NODE_ROLE = "system:node"
ALLOWED = True

# node_authorizer.go Authorize: the (group, resource) pairs whose access it subdivides per node.
SUBDIVIDED = frozenset(
    {
        ("", "secrets"),
        ("", "configmaps"),
        ("", "persistentvolumeclaims"),
        ("", "persistentvolumes"),
        ("", "serviceaccounts"),
        ("", "nodes"),
        ("", "pods"),
        ("storage.k8s.io", "volumeattachments"),
        ("storage.k8s.io", "csinodes"),
        ("coordination.k8s.io", "leases"),
        ("resource.k8s.io", "resourceclaims"),
        ("resource.k8s.io", "resourceslices"),
    }
)


def node_name(identity: Identity) -> str | None:
    """nodeidentifier/default.go NodeIdentity: the node's name, or None when not a node."""
    if not identity.user.startswith(NODE_USER_PREFIX) or NODES_GROUP not in identity.groups:
        return None
    return identity.user[len(NODE_USER_PREFIX) :]


def decide(identity: Identity, request: Request, kubernetes_version: str) -> bool | str | None:
    """ALLOWED, a reason the answer depends on the cluster's objects, or None (no opinion)."""
    name = node_name(identity)
    if name is None:
        return None
    if not name:
        return None  # node_authorizer.go: "unknown node for user"
    if request.is_resource and (request.group, request.resource) in SUBDIVIDED:
        what = request.combined + (f".{request.group}" if request.group else "")
        return (
            f"the Node authorizer allows node {name} {what} only for the objects related to it"
            " (the pods bound to it and what they reference, its own Lease and CSINode), which"
            " kubeplan cannot see"
        )
    if rules_allow(_node_rules(kubernetes_version), request):
        return ALLOWED
    return None


def _node_rules(kubernetes_version: str) -> tuple[Rule, ...]:
    if not kubernetes_version:
        return ()
    roles, _ = default_policy(kubernetes_version)
    for role in roles:
        if role.kind == "ClusterRole" and role.name == NODE_ROLE:
            return role.rules
    return ()


def who_note(request: Request, kubernetes_version: str) -> str | None:
    """What the Node authorizer adds to `who-can` for a request: nodes (users system:node:NAME
    in group system:nodes) that RBAC's subject list does not show."""
    if request.is_resource and (request.group, request.resource) in SUBDIVIDED:
        return (
            "the Node authorizer also allows a node (user system:node:NAME in group system:nodes)"
            " this request on the objects related to it; which ones, kubeplan cannot see"
        )
    if rules_allow(_node_rules(kubernetes_version), request):
        return (
            "the Node authorizer also allows every node (user system:node:NAME in group"
            " system:nodes): the rules of ClusterRole system:node allow it"
        )
    return None
