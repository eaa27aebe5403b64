-- Sample root application (rtmfp://host/): Cumulus's server-application API.
-- Reloaded automatically when this file changes.

function onStart(path)
  NOTE("sample application started")
end

-- A client connects (NetConnection.connect). Extra connect arguments arrive after client.
-- Returning a table adds its fields to the connect result; error("...") would reject it.
function onConnection(client, ...)
  INFO("connection from ", client.address)

  -- An RPC: NetConnection.call("hello", responder, "Ada") answers "Hello, Ada".
  function client:hello(name)
    return "Hello, " .. tostring(name)
  end

  return {message = "welcome"}
end

function onDisconnection(client)
  INFO("disconnection of ", client.address)
end
