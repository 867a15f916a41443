#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% A minimal Rf client (CTF) on Erlang/OTP's diameter application (diameter_gen_acct_rfc6733, Acct-Application-Id 3),
%% used by RfInteropIT against sipcharge's DiameterServer.
%%
%% Usage: escript rf_client.escript PORT DESTINATION_REALM
%%
%% Connects to 127.0.0.1:PORT, and once the capabilities exchange is done sends, one at a time:
%%   session A: START 0, INTERIM 1, the same INTERIM 1 again with the T flag and the same End-to-End id (a
%%   retransmission the CDF must treat as a duplicate), STOP 2; session B: EVENT 0.
%% Each ACR carries Service-Context-Id and a Service-Information/IMS-Information of TS 32.299 built as raw AVPs
%% (they are not in the base dictionary). For each answer it prints one line:
%%     RESULT <label> <Session-Id> <type> <number> <Result-Code> <Acct-Interim-Interval|none> errors=<decode errors>
%% then "DONE", stops the service (DPR) and exits 0. Exits non-zero when the peer does not come up.

-mode(compile).

-export([peer_up/3, peer_down/3, pick_peer/4, prepare_request/3, prepare_retransmit/3,
         handle_answer/4, handle_error/4, handle_request/3]).

-record(diameter_header, {version, length, cmd_code, application_id, hop_by_hop_id, end_to_end_id,
                          is_request, is_proxiable, is_error, is_retransmitted}).
-record(diameter_packet, {header, avps, msg, bin, errors = [], transport_data}).
-record(diameter_avp, {code, vendor_id, is_mandatory = false, need_encryption = false, data, name, value, type, index}).

-define(SVC, rf_ctf).
-define(HOST, "pcscf.erlang.test").
-define(REALM, "erlang.test").
-define(V3GPP, 10415).

main([PortStr, DestRealm]) ->
    Port = list_to_integer(PortStr),
    {ok, _} = application:ensure_all_started(diameter),
    ok = diameter:start_service(?SVC,
             [{'Origin-Host', ?HOST},
              {'Origin-Realm', ?REALM},
              {'Host-IP-Address', [{127,0,0,1}]},
              {'Vendor-Id', 10415},
              {'Product-Name', "otp-diameter-rf-ctf"},
              {'Supported-Vendor-Id', [10415]},
              {'Acct-Application-Id', [3]},
              {string_decode, false},
              {decode_format, map},
              {strict_mbit, false},
              {application, [{alias, rf},
                             {dictionary, diameter_gen_acct_rfc6733},
                             {module, ?MODULE},
                             {answer_errors, callback}]}]),
    true = diameter:subscribe(?SVC),
    {ok, _Ref} = diameter:add_transport(?SVC,
             {connect, [{transport_module, diameter_tcp},
                        {transport_config, [{raddr, {127,0,0,1}}, {rport, Port}, {ip, {127,0,0,1}}]},
                        {connect_timer, 1000}]}),
    await_up(erlang:monotonic_time(millisecond) + 15000),
    A = diameter:session_id(?HOST),
    B = diameter:session_id(?HOST),
    acr("start", A, 2, 0, DestRealm, undefined),
    {ok, _, E2E} = acr("interim", A, 3, 1, DestRealm, undefined),
    acr("duplicate", A, 3, 1, DestRealm, #diameter_header{is_retransmitted = true, end_to_end_id = E2E}),
    acr("stop", A, 4, 2, DestRealm, undefined),
    acr("event", B, 1, 0, DestRealm, undefined),
    io:format("DONE~n"),
    ok = diameter:stop_service(?SVC),   % sends DPR to the peer
    halt(0);
main(_) ->
    io:format(standard_error, "usage: rf_client.escript PORT DESTINATION_REALM~n", []),
    halt(2).

await_up(Deadline) ->
    Left = max(0, Deadline - erlang:monotonic_time(millisecond)),
    receive
        {diameter_event, ?SVC, Info} when element(1, Info) == up ->
            io:format("UP~n");
        {diameter_event, ?SVC, Info} ->
            io:format("EVENT ~w~n", [element(1, Info)]),
            await_up(Deadline)
    after Left ->
        io:format("NO_PEER~n"),
        halt(3)
    end.

%% Sends one ACR and prints its answer. Header, when given, sets the T flag and the End-to-End id.
acr(Label, SessionId, Type, Number, DestRealm, Header) ->
    Msg = ['ACR',
           {'Session-Id', SessionId},
           {'Origin-Host', ?HOST},
           {'Origin-Realm', ?REALM},
           {'Destination-Realm', DestRealm},
           {'Accounting-Record-Type', Type},
           {'Accounting-Record-Number', Number},
           {'Acct-Application-Id', 3},
           {'Event-Timestamp', calendar:universal_time()},
           {'AVP', [#diameter_avp{code = 461, is_mandatory = true, data = <<"32260@3gpp.org">>},
                    service_information(Type)]}],
    Request = case Header of
                  undefined -> Msg;
                  #diameter_header{} -> #diameter_packet{header = Header, msg = Msg}
              end,
    case diameter:call(?SVC, rf, Request, [{timeout, 5000}]) of
        {ok, ['ACA' | Aca], Hdr, Errors} ->
            Interim = case maps:find('Acct-Interim-Interval', Aca) of
                          {ok, [I]} -> I;
                          {ok, I} when is_integer(I) -> I;
                          _ -> none
                      end,
            io:format("RESULT ~s ~s ~b ~b ~b ~p errors=~w~n",
                      [Label, maps:get('Session-Id', Aca), maps:get('Accounting-Record-Type', Aca),
                       maps:get('Accounting-Record-Number', Aca), maps:get('Result-Code', Aca), Interim,
                       [code(E) || E <- Errors]]),
            {ok, maps:get('Result-Code', Aca), Hdr#diameter_header.end_to_end_id};
        Other ->
            io:format("RESULT ~s ~s ~b ~b FAILED ~p~n", [Label, SessionId, Type, Number, Other]),
            {error, Other}
    end.

code({C, _}) -> C;
code(C) -> C.

%% TS 32.299 Service-Information { IMS-Information { Event-Type { SIP-Method }, Role-Of-Node, Node-Functionality,
%% User-Session-Id, Calling-Party-Address, Called-Party-Address, [Cause-Code on STOP] } }, all 3GPP vendor AVPs.
service_information(Type) ->
    Cause = case Type of 4 -> [avp(861, <<0:32>>)]; _ -> [] end,
    Ims = iolist_to_binary([avp(823, avp(824, <<"INVITE">>)),
                            avp(829, <<1:32>>),                         % Role-Of-Node: TERMINATING_ROLE
                            avp(862, <<0:32>>),                         % Node-Functionality: S-CSCF
                            avp(830, <<"erl-call-1@pcscf.erlang.test">>),
                            avp(831, <<"sip:bob@erlang.test">>),
                            avp(832, <<"sip:carol@erlang.test">>)
                            | Cause]),
    #diameter_avp{code = 873, vendor_id = ?V3GPP, is_mandatory = true, data = avp(876, Ims)}.

%% One encoded 3GPP AVP (V and M flags), padded to 32 bits.
avp(Code, Data) ->
    Len = 12 + byte_size(Data),
    Pad = (4 - Len rem 4) rem 4,
    <<Code:32, 16#C0:8, Len:24, ?V3GPP:32, Data/binary, 0:(Pad * 8)>>.

%% ---- diameter_app callbacks

peer_up(_Svc, _Peer, State) -> State.

peer_down(_Svc, _Peer, State) -> State.

pick_peer([Peer | _], _, _Svc, _State) -> {ok, Peer};
pick_peer([], _, _Svc, _State) -> false.

prepare_request(Pkt, _Svc, _Peer) -> {send, Pkt}.

prepare_retransmit(Pkt, _Svc, _Peer) -> {send, Pkt}.

handle_answer(#diameter_packet{header = H, msg = Msg, errors = Errors}, _Request, _Svc, _Peer) ->
    {ok, Msg, H, Errors}.

handle_error(Reason, _Request, _Svc, _Peer) -> {error, Reason}.

handle_request(_Pkt, _Svc, _Peer) -> {protocol_error, 3001}.
