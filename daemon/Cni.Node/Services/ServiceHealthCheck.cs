namespace Cni.Node.Services;

/// <summary>
/// The health-check node port of an externalTrafficPolicy: Local LoadBalancer Service, served as kube-proxy serves it
/// (kubernetes pkg/proxy/healthcheck/service_health.go): 200 with the local endpoint count when it is above zero,
/// 503 otherwise.
/// </summary>
/// <param name="NodePort">spec.healthCheckNodePort.</param>
/// <param name="LocalEndpoints">This node's ready endpoints, counted per ServicePort and family as kube-proxy counts them.</param>
public sealed record ServiceHealthCheck(int NodePort, int LocalEndpoints);
