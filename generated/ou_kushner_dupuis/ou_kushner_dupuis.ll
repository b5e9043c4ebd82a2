; ModuleID = "ou_kushner_dupuis"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"ou_kushner_dupuis"(i64* noalias %"pos", i64* noalias %"alive", double* noalias %"clock", i64* noalias %"ctr", i64* noalias %"nev", double* noalias %"tsum", double* noalias %"tsum2", double* noalias %"ttime", i64 %"n_walkers", i64 %"n_iter", double %"t_end", double %"burn", i64 %"seed", double %"lam", double %"dt", double %"h0", double %"xo0", i64 %"lo0", i64 %"hi0") nounwind
{
entry:
  %"pos.slot" = alloca i64*
  store i64* %"pos", i64** %"pos.slot"
  %"alive.slot" = alloca i64*
  store i64* %"alive", i64** %"alive.slot"
  %"clock.slot" = alloca double*
  store double* %"clock", double** %"clock.slot"
  %"ctr.slot" = alloca i64*
  store i64* %"ctr", i64** %"ctr.slot"
  %"nev.slot" = alloca i64*
  store i64* %"nev", i64** %"nev.slot"
  %"tsum.slot" = alloca double*
  store double* %"tsum", double** %"tsum.slot"
  %"tsum2.slot" = alloca double*
  store double* %"tsum2", double** %"tsum2.slot"
  %"ttime.slot" = alloca double*
  store double* %"ttime", double** %"ttime.slot"
  %"n_walkers.slot" = alloca i64
  store i64 %"n_walkers", i64* %"n_walkers.slot"
  %"n_iter.slot" = alloca i64
  store i64 %"n_iter", i64* %"n_iter.slot"
  %"t_end.slot" = alloca double
  store double %"t_end", double* %"t_end.slot"
  %"burn.slot" = alloca double
  store double %"burn", double* %"burn.slot"
  %"seed.slot" = alloca i64
  store i64 %"seed", i64* %"seed.slot"
  %"lam.slot" = alloca double
  store double %"lam", double* %"lam.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"h0.slot" = alloca double
  store double %"h0", double* %"h0.slot"
  %"xo0.slot" = alloca double
  store double %"xo0", double* %"xo0.slot"
  %"lo0.slot" = alloca i64
  store i64 %"lo0", i64* %"lo0.slot"
  %"hi0.slot" = alloca i64
  store i64 %"hi0", i64* %"hi0.slot"
  %"w.slot" = alloca i64
  %"live.slot" = alloca i64
  %"clk.slot" = alloca double
  %"nd.slot" = alloca i64
  %"ne.slot" = alloca i64
  %"u.slot" = alloca double
  %"tau.slot" = alloca double
  %"hold.slot" = alloca double
  %"wgt.slot" = alloca double
  %"rng_key.slot" = alloca i64
  %"rng_state.slot" = alloca i64
  %"rng_bits.slot" = alloca i64
  %"cum0.slot" = alloca double
  %"lt0.slot" = alloca i64
  %"cum1.slot" = alloca double
  %"lt1.slot" = alloca i64
  %"blk.slot" = alloca i1
  %"q0.slot" = alloca i64
  %"nq0.slot" = alloca i64
  %"xc0.slot" = alloca double
  %"s1_0.slot" = alloca double
  %"s2_0.slot" = alloca double
  %"tt.slot" = alloca double
  %"it.slot" = alloca i64
  br label %"body"
body:
  %".40" = load i64, i64* %"n_walkers.slot"
  store i64 0, i64* %"w.slot"
  br label %"w.head"
w.head:
  %".43" = load i64, i64* %"w.slot"
  %".44" = icmp slt i64 %".43", %".40"
  br i1 %".44", label %"w.body", label %"w.done"
w.body:
  %".46" = load i64*, i64** %"alive.slot"
  %".47" = load i64, i64* %"w.slot"
  %".48" = getelementptr inbounds i64, i64* %".46", i64 %".47"
  %".49" = load i64, i64* %".48"
  store i64 %".49", i64* %"live.slot"
  %".51" = load double*, double** %"clock.slot"
  %".52" = load i64, i64* %"w.slot"
  %".53" = getelementptr inbounds double, double* %".51", i64 %".52"
  %".54" = load double, double* %".53"
  store double %".54", double* %"clk.slot"
  store i64 0, i64* %"nd.slot"
  store i64 0, i64* %"ne.slot"
  store double              0x0, double* %"u.slot"
  store double              0x0, double* %"tau.slot"
  store double              0x0, double* %"hold.slot"
  store double              0x0, double* %"wgt.slot"
  %".62" = load i64, i64* %"w.slot"
  %".63" = add i64 %".62", 7146057691288625177
  store i64 %".63", i64* %"rng_key.slot"
  %".65" = load i64, i64* %"rng_key.slot"
  %".66" = load i64, i64* %"rng_key.slot"
  %".67" = lshr i64 %".66", 30
  %".68" = xor i64 %".65", %".67"
  %".69" = mul i64 %".68", 13787848793156543929
  store i64 %".69", i64* %"rng_key.slot"
  %".71" = load i64, i64* %"rng_key.slot"
  %".72" = load i64, i64* %"rng_key.slot"
  %".73" = lshr i64 %".72", 27
  %".74" = xor i64 %".71", %".73"
  %".75" = mul i64 %".74", 10723151780598845931
  store i64 %".75", i64* %"rng_key.slot"
  %".77" = load i64, i64* %"rng_key.slot"
  %".78" = load i64, i64* %"rng_key.slot"
  %".79" = lshr i64 %".78", 31
  %".80" = xor i64 %".77", %".79"
  store i64 %".80", i64* %"rng_key.slot"
  %".82" = load i64, i64* %"seed.slot"
  %".83" = load i64, i64* %"rng_key.slot"
  %".84" = xor i64 %".82", %".83"
  store i64 %".84", i64* %"rng_key.slot"
  %".86" = load i64, i64* %"rng_key.slot"
  %".87" = load i64, i64* %"rng_key.slot"
  %".88" = lshr i64 %".87", 30
  %".89" = xor i64 %".86", %".88"
  %".90" = mul i64 %".89", 13787848793156543929
  store i64 %".90", i64* %"rng_key.slot"
  %".92" = load i64, i64* %"rng_key.slot"
  %".93" = load i64, i64* %"rng_key.slot"
  %".94" = lshr i64 %".93", 27
  %".95" = xor i64 %".92", %".94"
  %".96" = mul i64 %".95", 10723151780598845931
  store i64 %".96", i64* %"rng_key.slot"
  %".98" = load i64, i64* %"rng_key.slot"
  %".99" = load i64, i64* %"rng_key.slot"
  %".100" = lshr i64 %".99", 31
  %".101" = xor i64 %".98", %".100"
  store i64 %".101", i64* %"rng_key.slot"
  %".103" = load i64, i64* %"rng_key.slot"
  %".104" = load i64*, i64** %"ctr.slot"
  %".105" = load i64, i64* %"w.slot"
  %".106" = getelementptr inbounds i64, i64* %".104", i64 %".105"
  %".107" = load i64, i64* %".106"
  %".108" = mul i64 %".107", 11400714819323198485
  %".109" = add i64 %".103", %".108"
  store i64 %".109", i64* %"rng_state.slot"
  store i64 0, i64* %"rng_bits.slot"
  store double              0x0, double* %"cum0.slot"
  store i64 0, i64* %"lt0.slot"
  store double              0x0, double* %"cum1.slot"
  store i64 0, i64* %"lt1.slot"
  store i1 0, i1* %"blk.slot"
  %".117" = load i64*, i64** %"pos.slot"
  %".118" = load i64, i64* %"w.slot"
  %".119" = mul i64 %".118", 1
  %".120" = add i64 %".119", 0
  %".121" = getelementptr inbounds i64, i64* %".117", i64 %".120"
  %".122" = load i64, i64* %".121"
  store i64 %".122", i64* %"q0.slot"
  %".124" = load i64, i64* %"q0.slot"
  store i64 %".124", i64* %"nq0.slot"
  store double              0x0, double* %"xc0.slot"
  %".127" = load double*, double** %"tsum.slot"
  %".128" = load i64, i64* %"w.slot"
  %".129" = mul i64 %".128", 1
  %".130" = add i64 %".129", 0
  %".131" = getelementptr inbounds double, double* %".127", i64 %".130"
  %".132" = load double, double* %".131"
  store double %".132", double* %"s1_0.slot"
  %".134" = load double*, double** %"tsum2.slot"
  %".135" = load i64, i64* %"w.slot"
  %".136" = mul i64 %".135", 1
  %".137" = add i64 %".136", 0
  %".138" = getelementptr inbounds double, double* %".134", i64 %".137"
  %".139" = load double, double* %".138"
  store double %".139", double* %"s2_0.slot"
  %".141" = load double*, double** %"ttime.slot"
  %".142" = load i64, i64* %"w.slot"
  %".143" = getelementptr inbounds double, double* %".141", i64 %".142"
  %".144" = load double, double* %".143"
  store double %".144", double* %"tt.slot"
  %".146" = load i64, i64* %"n_iter.slot"
  store i64 0, i64* %"it.slot"
  br label %"it.head"
w.done:
  ret void
it.head:
  %".149" = load i64, i64* %"it.slot"
  %".150" = icmp slt i64 %".149", %".146"
  br i1 %".150", label %"it.body", label %"it.done"
it.body:
  %".152" = load double, double* %"xo0.slot"
  %".153" = load i64, i64* %"q0.slot"
  %".154" = sitofp i64 %".153" to double
  %".155" = load double, double* %"h0.slot"
  %".156" = fmul double %".154", %".155"
  %".157" = fadd double %".152", %".156"
  store double %".157", double* %"xc0.slot"
  %".159" = load double, double* %"dt.slot"
  %".160" = load double, double* %"clk.slot"
  %".161" = load double, double* %"dt.slot"
  %".162" = fadd double %".160", %".161"
  %".163" = load double, double* %"burn.slot"
  %".164" = fsub double %".162", %".163"
  %".165" = fcmp olt double %".159", %".164"
  %".166" = select  i1 %".165", double %".159", double %".164"
  %".167" = fcmp ogt double              0x0, %".166"
  %".168" = select  i1 %".167", double              0x0, double %".166"
  store double %".168", double* %"wgt.slot"
  %".170" = load double, double* %"s1_0.slot"
  %".171" = load double, double* %"xc0.slot"
  %".172" = load double, double* %"wgt.slot"
  %".173" = fmul double %".171", %".172"
  %".174" = fadd double %".170", %".173"
  store double %".174", double* %"s1_0.slot"
  %".176" = load double, double* %"s2_0.slot"
  %".177" = load double, double* %"xc0.slot"
  %".178" = load double, double* %"xc0.slot"
  %".179" = fmul double %".177", %".178"
  %".180" = load double, double* %"wgt.slot"
  %".181" = fmul double %".179", %".180"
  %".182" = fadd double %".176", %".181"
  store double %".182", double* %"s2_0.slot"
  %".184" = load double, double* %"tt.slot"
  %".185" = load double, double* %"wgt.slot"
  %".186" = fadd double %".184", %".185"
  store double %".186", double* %"tt.slot"
  %".188" = load double, double* %"dt.slot"
  %".189" = fmul double 0x3fe0000000000000, %".188"
  %".190" = load double, double* %"h0.slot"
  %".191" = load double, double* %"h0.slot"
  %".192" = fmul double %".190", %".191"
  %".193" = fdiv double %".189", %".192"
  %".194" = load double, double* %"dt.slot"
  %".195" = load double, double* %"xc0.slot"
  %".196" = fmul double 0xbff0000000000000, %".195"
  %".197" = fcmp ogt double              0x0, %".196"
  %".198" = select  i1 %".197", double              0x0, double %".196"
  %".199" = fmul double %".194", %".198"
  %".200" = load double, double* %"h0.slot"
  %".201" = fdiv double %".199", %".200"
  %".202" = fadd double %".193", %".201"
  store double %".202", double* %"cum0.slot"
  %".204" = load double, double* %"cum0.slot"
  %".205" = load double, double* %"dt.slot"
  %".206" = fmul double 0x3fe0000000000000, %".205"
  %".207" = load double, double* %"h0.slot"
  %".208" = load double, double* %"h0.slot"
  %".209" = fmul double %".207", %".208"
  %".210" = fdiv double %".206", %".209"
  %".211" = load double, double* %"dt.slot"
  %".212" = load double, double* %"xc0.slot"
  %".213" = fmul double 0x3ff0000000000000, %".212"
  %".214" = fcmp ogt double              0x0, %".213"
  %".215" = select  i1 %".214", double              0x0, double %".213"
  %".216" = fmul double %".211", %".215"
  %".217" = load double, double* %"h0.slot"
  %".218" = fdiv double %".216", %".217"
  %".219" = fadd double %".210", %".218"
  %".220" = fadd double %".204", %".219"
  store double %".220", double* %"cum1.slot"
  %".222" = load i64, i64* %"rng_state.slot"
  %".223" = add i64 %".222", 11400714819323198485
  store i64 %".223", i64* %"rng_state.slot"
  %".225" = load i64, i64* %"rng_state.slot"
  store i64 %".225", i64* %"rng_bits.slot"
  %".227" = load i64, i64* %"rng_bits.slot"
  %".228" = load i64, i64* %"rng_bits.slot"
  %".229" = lshr i64 %".228", 30
  %".230" = xor i64 %".227", %".229"
  %".231" = mul i64 %".230", 13787848793156543929
  store i64 %".231", i64* %"rng_bits.slot"
  %".233" = load i64, i64* %"rng_bits.slot"
  %".234" = load i64, i64* %"rng_bits.slot"
  %".235" = lshr i64 %".234", 27
  %".236" = xor i64 %".233", %".235"
  %".237" = mul i64 %".236", 10723151780598845931
  store i64 %".237", i64* %"rng_bits.slot"
  %".239" = load i64, i64* %"rng_bits.slot"
  %".240" = load i64, i64* %"rng_bits.slot"
  %".241" = lshr i64 %".240", 31
  %".242" = xor i64 %".239", %".241"
  store i64 %".242", i64* %"rng_bits.slot"
  %".244" = load i64, i64* %"rng_bits.slot"
  %".245" = lshr i64 %".244", 11
  %".246" = uitofp i64 %".245" to double
  %".247" = fmul double %".246", 0x3ca0000000000000
  store double %".247", double* %"u.slot"
  %".249" = load i64, i64* %"nd.slot"
  %".250" = add i64 %".249", 1
  store i64 %".250", i64* %"nd.slot"
  %".252" = load i64, i64* %"ne.slot"
  %".253" = add i64 %".252", 1
  store i64 %".253", i64* %"ne.slot"
  %".255" = load double, double* %"u.slot"
  %".256" = load double, double* %"cum0.slot"
  %".257" = fcmp olt double %".255", %".256"
  %".258" = zext i1 %".257" to i64
  store i64 %".258", i64* %"lt0.slot"
  %".260" = load double, double* %"u.slot"
  %".261" = load double, double* %"cum1.slot"
  %".262" = fcmp olt double %".260", %".261"
  %".263" = zext i1 %".262" to i64
  store i64 %".263", i64* %"lt1.slot"
  %".265" = load i64, i64* %"q0.slot"
  %".266" = load i64, i64* %"lt0.slot"
  %".267" = mul i64 2, %".266"
  %".268" = load i64, i64* %"lt1.slot"
  %".269" = sub i64 %".267", %".268"
  %".270" = add i64 %".265", %".269"
  store i64 %".270", i64* %"nq0.slot"
  %".272" = load i64, i64* %"nq0.slot"
  %".273" = load i64, i64* %"lo0.slot"
  %".274" = icmp slt i64 %".272", %".273"
  %".275" = load i64, i64* %"nq0.slot"
  %".276" = load i64, i64* %"hi0.slot"
  %".277" = icmp sgt i64 %".275", %".276"
  %".278" = or i1 %".274", %".277"
  store i1 %".278", i1* %"blk.slot"
  %".280" = load i1, i1* %"blk.slot"
  %".281" = load i64, i64* %"q0.slot"
  %".282" = load i64, i64* %"nq0.slot"
  %".283" = select  i1 %".280", i64 %".281", i64 %".282"
  store i64 %".283", i64* %"nq0.slot"
  %".285" = load i64, i64* %"nq0.slot"
  store i64 %".285", i64* %"q0.slot"
  %".287" = load double, double* %"clk.slot"
  %".288" = load double, double* %"dt.slot"
  %".289" = fadd double %".287", %".288"
  store double %".289", double* %"clk.slot"
  %".291" = load i64, i64* %"it.slot"
  %".292" = add i64 %".291", 1
  store i64 %".292", i64* %"it.slot"
  br label %"it.head"
it.done:
  %".295" = load i64*, i64** %"alive.slot"
  %".296" = load i64, i64* %"w.slot"
  %".297" = getelementptr inbounds i64, i64* %".295", i64 %".296"
  %".298" = load i64, i64* %"live.slot"
  store i64 %".298", i64* %".297"
  %".300" = load double*, double** %"clock.slot"
  %".301" = load i64, i64* %"w.slot"
  %".302" = getelementptr inbounds double, double* %".300", i64 %".301"
  %".303" = load double, double* %"clk.slot"
  store double %".303", double* %".302"
  %".305" = load i64*, i64** %"ctr.slot"
  %".306" = load i64, i64* %"w.slot"
  %".307" = getelementptr inbounds i64, i64* %".305", i64 %".306"
  %".308" = load i64*, i64** %"ctr.slot"
  %".309" = load i64, i64* %"w.slot"
  %".310" = getelementptr inbounds i64, i64* %".308", i64 %".309"
  %".311" = load i64, i64* %".310"
  %".312" = load i64, i64* %"nd.slot"
  %".313" = add i64 %".311", %".312"
  store i64 %".313", i64* %".307"
  %".315" = load i64*, i64** %"nev.slot"
  %".316" = load i64, i64* %"w.slot"
  %".317" = getelementptr inbounds i64, i64* %".315", i64 %".316"
  %".318" = load i64*, i64** %"nev.slot"
  %".319" = load i64, i64* %"w.slot"
  %".320" = getelementptr inbounds i64, i64* %".318", i64 %".319"
  %".321" = load i64, i64* %".320"
  %".322" = load i64, i64* %"ne.slot"
  %".323" = add i64 %".321", %".322"
  store i64 %".323", i64* %".317"
  %".325" = load i64*, i64** %"pos.slot"
  %".326" = load i64, i64* %"w.slot"
  %".327" = mul i64 %".326", 1
  %".328" = add i64 %".327", 0
  %".329" = getelementptr inbounds i64, i64* %".325", i64 %".328"
  %".330" = load i64, i64* %"q0.slot"
  store i64 %".330", i64* %".329"
  %".332" = load double*, double** %"tsum.slot"
  %".333" = load i64, i64* %"w.slot"
  %".334" = mul i64 %".333", 1
  %".335" = add i64 %".334", 0
  %".336" = getelementptr inbounds double, double* %".332", i64 %".335"
  %".337" = load double, double* %"s1_0.slot"
  store double %".337", double* %".336"
  %".339" = load double*, double** %"tsum2.slot"
  %".340" = load i64, i64* %"w.slot"
  %".341" = mul i64 %".340", 1
  %".342" = add i64 %".341", 0
  %".343" = getelementptr inbounds double, double* %".339", i64 %".342"
  %".344" = load double, double* %"s2_0.slot"
  store double %".344", double* %".343"
  %".346" = load double*, double** %"ttime.slot"
  %".347" = load i64, i64* %"w.slot"
  %".348" = getelementptr inbounds double, double* %".346", i64 %".347"
  %".349" = load double, double* %"tt.slot"
  store double %".349", double* %".348"
  %".351" = load i64, i64* %"w.slot"
  %".352" = add i64 %".351", 1
  store i64 %".352", i64* %"w.slot"
  br label %"w.head"
}
