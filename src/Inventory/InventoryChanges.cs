using System.Collections.Immutable;

namespace RouterAdmin.Inventory;

/// <summary>
/// The one change notification of the inventory: every service that writes raises it after its change is saved (a
/// whole-inventory replace after the caller's transaction commits), so the pending-changes badge can look again.
/// A subscription is an <see cref="IDisposable"/>: disposing it is the whole unsubscribe, no <c>-=</c> to forget.
/// </summary>
public sealed class InventoryChanges
{
    private ImmutableList<Subscription> _subscriptions = [];

    public IDisposable NotifyOnChange(Func<Task> callback)
    {
        var subscription = new Subscription(this, callback);
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Add(subscription));
        return subscription;
    }

    public IDisposable NotifyOnChange(Action callback) =>
        NotifyOnChange(() =>
        {
            callback();
            return Task.CompletedTask;
        });

    /// <summary>Runs every subscriber's callback; called by the inventory's writers, never by pages.</summary>
    internal Task NotifyAsync() => Task.WhenAll(_subscriptions.Select(s => s.Callback()));

    private sealed class Subscription(InventoryChanges owner, Func<Task> callback) : IDisposable
    {
        public Func<Task> Callback => callback;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscriptions, list => list.Remove(this));
    }
}
