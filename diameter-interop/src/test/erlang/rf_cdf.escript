#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% A minimal Rf CDF on Erlang/OTP's diameter application (RFC 6733 base accounting dictionary,
%% diameter_gen_acct_rfc6733, Acct-Application-Id 3), used by RfInteropIT.
%%
%% Usage: escript rf_cdf.escript PORT RECORD_FILE [relaxed|strict]
%%
%% Listens on 127.0.0.1:PORT, answers every ACR with ACA 2001 echoing Session-Id, Accounting-Record-Type,
%% Accounting-Record-Number and Acct-Interim-Interval (granting 120 s when the ACR has none), and appends one line
%% per ACR to RECORD_FILE, before answering:
%%     ACR <Session-Id> <record type> <record number> T=<true|false> errors=<decode errors>
%% The 3GPP AVPs of TS 32.299 (Service-Information etc.) are not in the base dictionary: with strict_mbit false they
%% are accepted as extra AVPs instead of being answered 5001 DIAMETER_AVP_UNSUPPORTED. In "strict" mode
%% (strict_mbit true, what a CDF without a 3GPP Rf dictionary does) an ACR with decode errors is recorded and then
%% answered with diameter's answer-message for the first error (5001 and Failed-AVP for an unknown M-bit AVP).
%% Prints "READY" when listening and "PEER_UP <host>" / "PEER_DOWN <host>" for each peer. Stops on SIGTERM.

-mode(compile).

-export([peer_up/3, peer_down/3, pick_peer/4, prepare_request/3, prepare_retransmit/3,
         handle_answer/4, handle_error/4, handle_request/3]).

%% Field order as in OTP's diameter.hrl (not shipped by Debian's erlang-diameter, so repeated here).
-record(diameter_header, {version, length, cmd_code, application_id, hop_by_hop_id, end_to_end_id,
                          is_request, is_proxiable, is_error, is_retransmitted}).
-record(diameter_packet, {header, avps, msg, bin, errors = [], transport_data}).

-define(SVC, rf_cdf).
-define(HOST, "cdf.erlang.test").
-define(REALM, "erlang.test").
-define(GRANTED_INTERIM, 120).

main([PortStr, RecordFile]) ->
    main([PortStr, RecordFile, "relaxed"]);
main([PortStr, RecordFile, Mode]) when Mode == "relaxed"; Mode == "strict" ->
    Strict = Mode == "strict",
    persistent_term:put({?MODULE, strict}, Strict),
    Port = list_to_integer(PortStr),
    ok = file:write_file(RecordFile, <<>>),
    persistent_term:put({?MODULE, record_file}, RecordFile),
    {ok, _} = application:ensure_all_started(diameter),
    ok = diameter:start_service(?SVC,
             [{'Origin-Host', ?HOST},
              {'Origin-Realm', ?REALM},
              {'Host-IP-Address', [{127,0,0,1}]},
              {'Vendor-Id', 10415},
              {'Product-Name', "otp-diameter-rf-cdf"},
              {'Supported-Vendor-Id', [10415]},
              {'Acct-Application-Id', [3]},
              {restrict_connections, false},
              {string_decode, false},
              {decode_format, map},
              {strict_mbit, Strict},
              {application, [{alias, rf},
                             {dictionary, diameter_gen_acct_rfc6733},
                             {module, ?MODULE}]}]),
    {ok, _Ref} = diameter:add_transport(?SVC,
             {listen, [{transport_module, diameter_tcp},
                       {transport_config, [{reuseaddr, true}, {ip, {127,0,0,1}}, {port, Port}]}]}),
    io:format("READY ~b~n", [Port]),
    receive after infinity -> ok end;
main(_) ->
    io:format(standard_error, "usage: rf_cdf.escript PORT RECORD_FILE [relaxed|strict]~n", []),
    halt(2).

%% ---- diameter_app callbacks

peer_up(_Svc, {_Ref, Caps}, State) ->
    {_, Remote} = element(2, Caps),   % #diameter_caps.origin_host = {Local, Remote}
    io:format("PEER_UP ~s~n", [Remote]),
    State.

peer_down(_Svc, {_Ref, Caps}, State) ->
    {_, Remote} = element(2, Caps),
    io:format("PEER_DOWN ~s~n", [Remote]),
    State.

pick_peer([Peer | _], _, _Svc, _State) -> {ok, Peer};
pick_peer([], _, _Svc, _State) -> false.

prepare_request(Pkt, _Svc, _Peer) -> {send, Pkt}.

prepare_retransmit(Pkt, _Svc, _Peer) -> {send, Pkt}.

handle_answer(#diameter_packet{msg = Msg}, _Request, _Svc, _Peer) -> {ok, Msg}.

handle_error(Reason, _Request, _Svc, _Peer) -> {error, Reason}.

handle_request(#diameter_packet{header = H, msg = ['ACR' | Acr], errors = Errors}, _Svc, _Peer) ->
    SessionId = maps:get('Session-Id', Acr),
    Type = maps:get('Accounting-Record-Type', Acr),
    Number = maps:get('Accounting-Record-Number', Acr),
    Interim = case maps:find('Acct-Interim-Interval', Acr) of
                  {ok, [I]} -> I;
                  {ok, I} when is_integer(I) -> I;
                  _ -> ?GRANTED_INTERIM
              end,
    Line = io_lib:format("ACR ~s ~s ~b T=~p errors=~w~n",
                         [SessionId, type_name(Type), Number, H#diameter_header.is_retransmitted,
                          [error_code(E) || E <- Errors]]),
    ok = file:write_file(persistent_term:get({?MODULE, record_file}), Line, [append]),
    case Errors /= [] andalso persistent_term:get({?MODULE, strict}) of
        true -> aca(SessionId, Type, Number, []);   % diameter fills in Result-Code and Failed-AVP from Errors
        false -> aca(SessionId, Type, Number, [{'Result-Code', 2001}, {'Acct-Interim-Interval', Interim}])
    end;
handle_request(#diameter_packet{msg = Msg, errors = Errors}, _Svc, _Peer) ->
    io:format("UNEXPECTED ~P errors=~w~n", [Msg, 20, Errors]),
    {protocol_error, 3001}.

aca(SessionId, Type, Number, More) ->
    {reply, ['ACA',
             {'Session-Id', SessionId},
             {'Origin-Host', ?HOST},
             {'Origin-Realm', ?REALM},
             {'Accounting-Record-Type', Type},
             {'Accounting-Record-Number', Number},
             {'Acct-Application-Id', 3}
             | More]}.

type_name(1) -> "EVENT";
type_name(2) -> "START";
type_name(3) -> "INTERIM";
type_name(4) -> "STOP";
type_name(N) -> integer_to_list(N).

error_code({Code, _Avp}) -> Code;
error_code(Code) -> Code.
