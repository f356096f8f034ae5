namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// What the backend knows the ruleset holds at one generation (<see cref="NftGeneration"/>): the owned table and the
/// other tables' hand-written rules, taken from a full read during which the generation did not move, or from such a
/// read and the one transaction this backend committed on top of it, when the generation moved by exactly that one
/// commit (nft -f commits a whole file as one batch, or nothing). While the kernel is still at that generation nothing
/// has been committed since, so a new read would list the same table again: the known one is used instead.
/// </summary>
public sealed class NftKnownState
{
    private readonly Lock _lock = new();
    private Known? _known;

    /// <param name="PredictedFrom">The wanted state whose transaction led here, when the state was predicted rather than listed.</param>
    public sealed record Known(NftGeneration.Reading Generation, NftOwnedState Owned, NftForeign Foreign, string Text, NftOwnedState? PredictedFrom);

    /// <summary>The known state, when the kernel is still at its generation.</summary>
    public Known? At(NftGeneration.Reading? generation)
    {
        lock (_lock) return generation is { } g && _known is { } known && known.Generation == g ? known : null;
    }

    public void Remember(Known known)
    {
        lock (_lock) _known = known;
    }

    public void Forget()
    {
        lock (_lock) _known = null;
    }
}
