using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.TestSupport;

/// <summary>A webhook endpoint on loopback (HttpListener): keeps every call it gets and answers what the spec says.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, HttpStatusCode> _answer;
    private int _calls;

    public sealed record Call(DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, string Body);

    public ConcurrentQueue<Call> Calls { get; } = new();
    public Uri Address { get; }

    /// <param name="answer">The status for the n-th call (1-based); 200 for all by default.</param>
    public WebhookReceiver(Func<int, HttpStatusCode>? answer = null)
    {
        _answer = answer ?? (_ => HttpStatusCode.OK);
        Address = new Uri($"http://127.0.0.1:{FreePort()}/hooks/routeradmin/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    /// <summary>A loopback port nothing listens on (for a dead receiver), or the one a server is about to take.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Calls.Enqueue(new Call(TimeProvider.System.GetUtcNow(), headers, body));
            context.Response.StatusCode = (int)_answer(Interlocked.Increment(ref _calls));
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
