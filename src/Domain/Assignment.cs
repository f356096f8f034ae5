namespace RouterAdmin.Domain;

/// <summary>
/// Traffic from <see cref="Client"/> to <see cref="Endpoint"/> leaves from <see cref="ExternalAddress"/>.
/// The scarce resource is the pair (external address, endpoint): one address serves one client per endpoint,
/// and the same address may serve another client towards another endpoint.
/// </summary>
public sealed class Assignment
{
    public int Id { get; set; }
    public int ClientId { get; set; }
    public Client Client { get; set; } = null!;
    public int EndpointId { get; set; }
    public VpnEndpoint Endpoint { get; set; } = null!;
    public int ExternalAddressId { get; set; }
    public ExternalAddress ExternalAddress { get; set; } = null!;
    public DateTimeOffset AssignedAt { get; set; }
}
