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
    public sealed record Known(NftGeneration.Reading Generation, NftOwnedState Owned, NftForeign Foreign, Lazy<string> Text, NftOwnedState? PredictedFrom)
    {
        /// <summary>
        /// The read this state was last handed out as: while the generation and the addresses stand, the next read is
        /// that same object, so whoever worked something out from it (the preview's change) can tell it is still true.
        /// </summary>
        public NftLiveState? LastRead { get; set; }
    }

    /// <summary>The known state, when the kernel is still at its generation.</summary>
    public Known? At(NftGeneration.Reading? generation)
    {
        lock (_lock) return generation is { } g && _known is { } known && known.Generation == g ? known : null;
    }

    public void Remember(Known known)
    {
        lock (_lock) _known = known;
    }

    /// <summary>
    /// Remembers a listed state, unless one is already known at its generation: nothing was committed in between, so
    /// the known one (and what was worked out from it) is still the kernel's. Returns the state now known.
    /// </summary>
    public Known RememberListed(Known known)
    {
        lock (_lock)
        {
            if (_known is not { } current || current.Generation != known.Generation) _known = known;
            return _known;
        }
    }

    public void Forget()
    {
        lock (_lock) _known = null;
    }
}
