using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RouterAdmin.Notifications;

/// <summary>
/// A JSON POST to the administrator's URL. The receiver checks <c>X-RouterAdmin-Signature</c>: <c>sha256=</c> and the
/// hex HMAC-SHA256, keyed with the shared secret, of the <c>X-RouterAdmin-Timestamp</c> value (Unix seconds), a dot
/// and the body as sent; the timestamp lets it refuse a replayed call.
/// </summary>
public sealed class WebhookChannel(IHttpClientFactory http, TimeProvider clock) : INotificationChannel
{
    public const string SignatureHeader = "X-RouterAdmin-Signature";
    public const string TimestampHeader = "X-RouterAdmin-Timestamp";
    public const string HttpClientName = "notifications";

    public string Name => "webhook";

    public bool IsEnabled(NotificationSettings settings) => settings.WebhookEnabled;

    public async Task SendAsync(Notification notification, NotificationSettings settings, CancellationToken ct)
    {
        var url = settings.WebhookUrl ?? throw new InvalidOperationException("No webhook address is set.");
        var secret = settings.WebhookSecret ?? throw new InvalidOperationException("No webhook secret is set.");
        var body = JsonSerializer.Serialize(new
        {
            kind = notification.KindName,
            title = notification.Title,
            text = notification.Text,
            at = notification.At,
            facts = notification.Facts,
        });
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(secret, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("RouterAdmin", "1"));
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.");
    }

    private static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
