using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>Over HTTPS every cookie the console sets is Secure, so it never travels over plain HTTP to the same name.</summary>
public sealed class HttpsCookieSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_https_the_antiforgery_and_sign_in_cookies_are_secure()
    {
        var folder = Directory.CreateTempSubdirectory("routeradmin-tls-").FullName;
        try
        {
            var pfx = Path.Combine(folder, "console.pfx");
            using (var rsa = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(IPAddress.Loopback);
                request.CertificateExtensions.Add(san.Build());
                using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test"), Ct);
            }
            await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Settings = new Dictionary<string, string?>
            {
                ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
                ["Kestrel:Endpoints:Https:Certificate:Path"] = pfx,
                ["Kestrel:Endpoints:Https:Certificate:Password"] = "test",
            } });
            await console.CreateUserAsync("admin", UserRole.Admin);
            Assert.Equal("https", console.Address.Scheme);
            using var client = new HttpClient(new HttpClientHandler
            {
                CookieContainer = new CookieContainer(),
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            }) { BaseAddress = console.Address };

            using var form = await client.GetAsync("/account/login", Ct);
            var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
            using var signedIn = await TestConsole.SignInAsync(client, "admin");
            var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("RouterAdmin.Auth=", StringComparison.Ordinal));

            Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
