using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RouterAdmin.Bench;

/// <summary>
/// What the console itself measured while a load ran: ASP.NET Core's own duration histograms (requests by route,
/// Blazor events and renders), listened to in-process, so the figures are the server's time and not the browser's
/// view of it (which on a shared machine includes the browser waiting for a core).
/// </summary>
public sealed class ServerTimings : IDisposable
{
    /// <summary>A browser event's handling on the server, the component's own logic included.</summary>
    public const string EventHandling = "aspnetcore.components.handle_event.duration";

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> samples = new(StringComparer.Ordinal);

    public ServerTimings()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) && instrument is Histogram<double>)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>(OnMeasurement);
        listener.Start();
    }

    /// <summary>Milliseconds per measure: "GET /clients/new 200" for requests, the instrument's name for the rest.</summary>
    public IReadOnlyDictionary<string, Samples> Snapshot() =>
        samples.ToDictionary(pair => pair.Key, pair => Samples.Of(pair.Value), StringComparer.Ordinal);

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var key = instrument.Name;
        if (instrument.Name == "http.server.request.duration")
        {
            string? method = null, route = null, status = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "http.request.method": method = tag.Value?.ToString(); break;
                    case "http.route": route = tag.Value?.ToString(); break;
                    case "http.response.status_code": status = tag.Value?.ToString(); break;
                }
            }
            key = $"{method} {route ?? "(no route)"} {status}";
        }
        samples.GetOrAdd(key, _ => []).Add(seconds * 1000);
    }

    public void Dispose() => listener.Dispose();
}
